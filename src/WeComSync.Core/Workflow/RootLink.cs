using System.Linq;
using WeComSync.Authing;

namespace WeComSync.Workflow
{
    /// <summary>
    /// What an upstream run makes of a pool that was synced downstream: its organization's root stands for WeCom's root
    /// ("1", the company), so the export's top department (the company again) is that root, as -IgnoreRootDepartment
    /// says. Planned as a department under the root instead, the company would be created twice and every department
    /// moved under the copy.
    /// </summary>
    internal static class RootLink
    {
        /// <summary>
        /// True when a downstream run linked the organization's root to WeCom's root: a department directly under the
        /// root holds WeCom's root as its parent link (<see cref="LinkFieldNames.ParentDepartmentId"/>).
        /// </summary>
        public static bool LinkedToWeComRoot(AuthingDepartmentMap map) =>
            map != null && map.RootLinkId == null && map.ById.Values.Any(d =>
                map.IsRootId(d.ParentDepartmentId) && map.WeComParentIdOf(d.DepartmentId) == DownstreamRun.WeComRootId);

        /// <summary>What the run says, once (verbose, and in its "read Authing" step): why the root stands for the file's top.</summary>
        public static string Detected(string organizationCode, string top) =>
            $"The organization {organizationCode}'s root is linked to WeCom's root department ({DownstreamRun.WeComRootId}; a downstream run linked it): " +
            $"the file's top department {top} is mapped onto it, as -IgnoreRootDepartment does.";
    }
}
