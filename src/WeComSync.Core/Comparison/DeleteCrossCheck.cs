using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Http;
using WeComSync.Model;
using WeComSync.WeCom;

namespace WeComSync.Comparison
{
    /// <summary>
    /// Checks an upstream plan's user deletes against WeCom's own list of members before anything is deleted. Every
    /// wrong delete from an export has one cause: a member missing from the file (a sheet skipped or hidden, a filter,
    /// an old file) who is still in WeCom. WeCom lists every member's userid even where it withholds their details
    /// (user/list_id), so a user it still lists is never deleted or suspended; when more than a few are, the file looks
    /// stale or partial and every delete is refused. A list that could not be read completely refuses the deletes, as
    /// any incomplete read does.
    /// </summary>
    public static class DeleteCrossCheck
    {
        /// <summary>"More than a few": more users than this still in WeCom refuse every delete of the plan.</summary>
        public const int DefaultMaxStillListed = 5;

        /// <summary>Per-user warnings written before the rest are counted in one line.</summary>
        private const int ReportedOneByOne = 20;

        /// <summary>Said once by a delete run that had no WeCom connection to check against.</summary>
        public const string NotCrossCheckedWarning =
            "Deletes were not checked against WeCom's member list: there is no WeCom connection (Connect-WeCom with the address-book sync " +
            "secret, or -WeComConnection). A member missing from the file only (a hidden sheet, a filter, an old file) would be deleted.";

        /// <summary>
        /// Reads WeCom's member list for the check (<see cref="WeComReader.ReadUserIdsAsync"/>). A read that fails (wrong
        /// secret, untrusted IP, a page failing after its retries) is not thrown: it is a list that says why it is
        /// incomplete, which refuses the deletes. Cancellation is thrown.
        /// </summary>
        public static async Task<WeComMemberIds> ReadMembersAsync(WeComClient client, IOutputWriter output, CancellationToken ct)
        {
            if (client == null) throw new ArgumentNullException(nameof(client));
            try
            {
                return await new WeComReader(client, output).ReadUserIdsAsync(ct).ConfigureAwait(false);
            }
            catch (ApiException e)
            {
                return WeComMemberIds.Failed($"{e.Endpoint} answered {e.Code}: {e.ApiMessage}".TrimEnd(' ', ':') + (string.IsNullOrEmpty(e.RecommendedAction) ? "" : " " + e.RecommendedAction), client.CorpId);
            }
        }

        /// <summary>
        /// Returns the plan with the deletes and suspends of users WeCom still lists taken out (each reported), or with
        /// every delete and suspend taken out and <see cref="Plan.DeleteRefusedReason"/> set when more than
        /// <paramref name="maxStillListed"/> are listed or the list is incomplete. Other changes are kept as they are.
        /// </summary>
        public static DeleteCrossCheckResult Apply(Plan plan, WeComMemberIds members, int maxStillListed = DefaultMaxStillListed)
        {
            if (plan == null) throw new ArgumentNullException(nameof(plan));
            if (members == null) throw new ArgumentNullException(nameof(members));
            var removes = plan.Changes.Where(IsUserRemoval).ToList();
            if (removes.Count == 0) return new DeleteCrossCheckResult(plan, new List<Change>(), new List<string>(), false);

            string verb = removes.All(c => c.Operation == ChangeOperation.Suspend) ? "suspend" : "delete";
            if (!members.IsComplete)
            {
                var refused = Without(plan, removes);
                refused.Context.DeleteRefusedReason =
                    $"Deletes were refused: WeCom's member list could not be read completely ({members.IncompleteReason.TrimEnd('.')}), so the " +
                    $"{removes.Count} user(s) this run would {verb} could not be checked against it. Nothing was deleted or suspended.";
                refused.RefusedAdvice = "Fix the WeCom read (the address-book sync secret, the trusted IP, the failed page; Test-WeComConnection says what is wrong) and run again.";
                return new DeleteCrossCheckResult(refused, new List<Change>(), new List<string>(), true);
            }

            var stillListed = removes.Where(c => members.Contains(KeyOf(c))).ToList();
            if (stillListed.Count == 0) return new DeleteCrossCheckResult(plan, stillListed, new List<string>(), false);

            if (stillListed.Count > maxStillListed)
            {
                var refused = Without(plan, removes);
                var shown = string.Join(", ", stillListed.Take(10).Select(Describe)) + (stillListed.Count > 10 ? $" and {stillListed.Count - 10} more" : "");
                refused.Context.DeleteRefusedReason =
                    $"Deletes were refused: {stillListed.Count} of the {removes.Count} user(s) this run would {verb} are still members in WeCom " +
                    $"({members.ReadVia}): {shown}. The export does not show them, so the file looks stale or partial (a hidden sheet, a filter, " +
                    "an old file?). Nothing was deleted or suspended.";
                refused.RefusedAdvice = "Export the address book again from the WeCom admin console (通讯录 > 导出), keep every member on the sheet " +
                    "with the header (no filter, no hidden or split sheet), and run again.";
                return new DeleteCrossCheckResult(refused, stillListed, new List<string>(), true);
            }

            var warnings = new List<string>();
            foreach (var c in stillListed.Take(ReportedOneByOne))
            {
                warnings.Add($"{Describe(c)} is still in WeCom: the export does not show them — hidden sheet, filter, old file? " +
                    $"Not {(c.Operation == ChangeOperation.Suspend ? "suspended" : "deleted")}.");
            }
            if (stillListed.Count > ReportedOneByOne) warnings.Add($"{stillListed.Count - ReportedOneByOne} more user(s) still in WeCom were not deleted.");
            return new DeleteCrossCheckResult(Without(plan, stillListed), stillListed, warnings, false);
        }

        private static bool IsUserRemoval(Change c) => c.Kind == ObjectKind.User && c.Operation.Removes();

        private static string KeyOf(Change c) => c.Key ?? (c.Current as User)?.UserId;

        private static string Describe(Change c)
        {
            var name = (c.Current as User)?.Name;
            return string.IsNullOrEmpty(name) || string.Equals(name, c.Key, StringComparison.Ordinal) ? c.Key : $"{c.Key} ({name})";
        }

        /// <summary>The plan without the given changes: renumbered, its counts recomputed, its other facts kept.</summary>
        private static Plan Without(Plan plan, List<Change> removed)
        {
            var gone = new HashSet<Change>(removed);
            var kept = plan.Changes.Where(c => !gone.Contains(c)).ToList();
            var context = plan.Context;
            context.CreateCount = context.UpdateCount = context.MoveCount = context.DeleteCount = context.SuspendCount = context.ConflictCount = 0;
            int sequence = 0;
            foreach (var c in kept)
            {
                c.Sequence = ++sequence;
                switch (c.Operation)
                {
                    case ChangeOperation.Create: context.CreateCount++; break;
                    case ChangeOperation.Update: context.UpdateCount++; break;
                    case ChangeOperation.Move: context.MoveCount++; break;
                    case ChangeOperation.Delete: context.DeleteCount++; break;
                    case ChangeOperation.Suspend: context.SuspendCount++; break;
                    default: context.ConflictCount++; break;
                }
            }
            return new Plan(kept, context) { DeleteRefusedBy = plan.DeleteRefusedBy, RefusedAdvice = plan.RefusedAdvice, Errors = plan.Errors, Refusal = plan.Refusal };
        }
    }

    /// <summary>What <see cref="DeleteCrossCheck.Apply"/> did: the plan to apply, the removals WeCom contradicted, what to tell the admin.</summary>
    public sealed class DeleteCrossCheckResult
    {
        internal DeleteCrossCheckResult(Plan plan, List<Change> stillListed, List<string> warnings, bool refused)
        {
            Plan = plan;
            StillListed = stillListed;
            Warnings = warnings;
            Refused = refused;
        }

        public Plan Plan { get; }

        /// <summary>The deletes and suspends of users WeCom still lists (withheld, or the cause of the refusal).</summary>
        public IReadOnlyList<Change> StillListed { get; }

        /// <summary>One warning per withheld user (the first twenty, then a count).</summary>
        public IReadOnlyList<string> Warnings { get; }

        /// <summary>Every delete was refused: <see cref="Plan.DeleteRefusedReason"/> says why, <see cref="Plan.DeleteRefusedAdvice"/> what to do.</summary>
        public bool Refused { get; }
    }
}
