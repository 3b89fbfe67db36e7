using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using WeComSync.AddressBook;
using WeComSync.Apply;
using WeComSync.Authing;
using WeComSync.Comparison;
using WeComSync.Model;

namespace WeComSync.Workflow
{
    /// <summary>Which upstream run: create and update departments and users, or only delete (or suspend) the users absent from the file.</summary>
    public enum UpstreamMode
    {
        CreateUpdate,
        DeleteOnly,
    }

    /// <summary>What an upstream run (WeCom export → Authing) is given.</summary>
    public sealed class UpstreamOptions : SyncRunOptions
    {
        /// <summary>The export file, or a folder: then its newest .xlsx/.xls/.csv.</summary>
        public string Path { get; set; }

        /// <summary>Sheets and rows to read.</summary>
        public AddressBookReadOptions Read { get; set; } = new AddressBookReadOptions();

        /// <summary>The Authing organization to sync into.</summary>
        public string OrganizationCode { get; set; }

        public UpstreamMode Mode { get; set; } = UpstreamMode.CreateUpdate;

        /// <summary>Map the file's top department (the company) onto the organization's root.</summary>
        public bool IgnoreRootDepartment { get; set; }

        /// <summary>Where Authing keeps the user fields beyond the defaults (already merged with the connection's); null: the defaults.</summary>
        public FieldMap FieldMap { get; set; }

        /// <summary>
        /// DeleteOnly: the WeCom connection whose member list (user/list_id) the deletes are checked against
        /// (<see cref="DeleteCrossCheck"/>); null: not checked, and the run says so once.
        /// </summary>
        public WeCom.WeComConnection WeComConnection { get; set; }

        /// <summary>A file older than this by its own timestamp gets a warning (<see cref="ExportTimestamp"/>); zero: no check.</summary>
        public TimeSpan MaxExportAge { get; set; } = ExportTimestamp.RecommendedCadence;

        /// <summary>
        /// The wanted side already read (members and their department tree, e.g. built by a caller or a test): used
        /// instead of reading <see cref="Path"/>.
        /// </summary>
        public AddressBookExport Export { get; set; }
    }

    /// <summary>
    /// The upstream run, WeCom console export → Authing (<c>Invoke-WeComUpstreamSync</c>). Its steps, in order:
    /// <list type="number">
    /// <item>before the file is read: the pool's link fields (a pool without them stops here, nothing written);</item>
    /// <item>"read export": members, department tree and the skipped rows' records in one read; each bad row is one
    /// error, skipped (a file with no valid member stops the run: a delete-only run on it would delete everyone);</item>
    /// <item>"read Authing": the organization's departments and its members, once, before anything changes (a failed
    /// page is an error, and no delete follows from an incomplete read);</item>
    /// <item>CreateUpdate: "departments" (parents first, renames recognised by their members), then "users";
    /// DeleteOnly: "delete users" (the users absent from the file, behind the delete refusal and the delete guard).</item>
    /// </list>
    /// </summary>
    public sealed class UpstreamRun : SyncRun
    {
        private static readonly string[] ExportExtensions = { ".xlsx", ".xls", ".csv" };

        private readonly AuthingConnection _authing;
        private readonly UpstreamOptions _options;

        public UpstreamRun(AuthingConnection authing, UpstreamOptions options, IOutputWriter output) : base(output, options)
        {
            _authing = authing ?? throw new ArgumentNullException(nameof(authing));
            _options = options;
            if (string.IsNullOrEmpty(options.OrganizationCode)) throw new ArgumentException("An upstream run needs the Authing organization code.", nameof(options));
            // Until the upstream run of named users lands: never a full run in its place.
            if (options.OnDemand) throw new NotSupportedException("An upstream run of named users (-UserId) is not available yet; run without -UserId.");
        }

        public override string RunName => "upstream-" + _options.Mode.ToString().ToLowerInvariant();

        protected override string Service => AuthingClient.ServiceName;

        protected override object Target => _options.Path;

        private AuthingClient Client => _authing.Client;

        /// <summary>The export the run reads: the file given, or the newest export in the folder given.</summary>
        internal static string ResolveExport(string path)
        {
            if (Directory.Exists(path))
            {
                var newest = new DirectoryInfo(path).EnumerateFiles()
                    .Where(f => ExportExtensions.Contains(f.Extension, StringComparer.OrdinalIgnoreCase) && !f.Name.StartsWith("~$", StringComparison.Ordinal))
                    .OrderByDescending(f => f.LastWriteTimeUtc).FirstOrDefault();
                if (newest == null)
                {
                    throw new RunFailure(new OutputError(ProblemCodes.FileNotFound, ProblemKind.NotFound, path,
                        $"The folder '{path}' holds no export (.xlsx, .xls, .csv): a folder given as -Path means its newest export.",
                        "Put the export from the WeCom admin console (Contacts > Export) in the folder, or give the file itself."));
                }
                return newest.FullName;
            }
            if (!File.Exists(path))
            {
                throw new RunFailure(new OutputError(ProblemCodes.FileNotFound, ProblemKind.NotFound, path,
                    $"Cannot find the export file '{path}'.", "Check the path; a folder means its newest export; use -LiteralPath for names with [ ] characters."));
            }
            return path;
        }

        protected override void Execute()
        {
            // Fail fast: what every write needs is checked before the file is read.
            var missing = Wait(ct => AuthingLinkFields.MissingAsync(Client, ct));
            if (missing.Count > 0) throw new RunFailure(AuthingLinkFields.MissingError(Client, missing, _authing));
            var export = _options.Export != null ? Given(_options.Export) : ReadExport(ResolveExport(_options.Path));
            // The file's top department is the company: with -IgnoreRootDepartment the organization's root stands for it
            // (the root carries its link), and so it does in a pool a downstream run linked to WeCom's root (RootLink);
            // otherwise it is planned as an ordinary department under the root.
            var top = export.Departments.FirstOrDefault(d => d.IsRoot);
            string rootLinkId = _options.IgnoreRootDepartment ? top?.LinkId : null;

            var (departments, users) = ReadAuthing(ref rootLinkId, top);
            var everyDepartment = export.Departments.Concat(departments).ToList();

            if (_options.Mode == UpstreamMode.CreateUpdate)
            {
                var departmentPlan = DirectoryComparer.CompareDepartments(export.Departments, departments,
                    new CompareOptions { Scope = _options.Scope() }, export.Users, users);
                ApplyStep("departments", departmentPlan.Changes, () => new AuthingDepartmentApplier(Client, _options.OrganizationCode, rootLinkId), Notes(departmentPlan));

                var userPlan = DirectoryComparer.CompareUsers(export.Users, users, new CompareOptions
                {
                    UpdateMode = _options.UpdateMode,
                    ExcludeProperty = _options.ExcludeProperty,
                    MappedFields = MappedFields(),
                    Scope = _options.Scope(everyDepartment),
                });
                ApplyStep("users", userPlan.Changes, () => new AuthingUserApplier(Client, _options.OrganizationCode, rootLinkId) { FieldMap = _options.FieldMap }, Notes(userPlan));
            }
            else
            {
                // Only the deletes of users absent from the file. A side read incompletely (a failed page; a skipped row
                // whose 账号 cannot be read) refuses every delete: the run deletes nobody and ends with the refusal.
                var plan = DirectoryComparer.CompareUsers(export.Users, users, new CompareOptions
                {
                    Operation = PlanOperation.Delete,
                    DeleteAction = _options.DeleteAction,
                    Scope = _options.Scope(everyDepartment),
                });
                plan = CrossChecked(plan);
                RefuseDeletes(plan);
                ApplyStep("delete users", plan.Changes, () => new AuthingUserApplier(Client, _options.OrganizationCode, null), Notes(plan));
            }
        }

        /// <summary>
        /// The delete plan checked against WeCom's own member list: a user WeCom still lists is not deleted (each is a
        /// warning); more than a few, or a list read incompletely, refuse every delete. Without a WeCom connection: as is,
        /// said once. WeCom is read only when the plan removes someone.
        /// </summary>
        private Plan CrossChecked(Plan plan)
        {
            if (plan.DeleteRefusedReason != null || !plan.Changes.Any(c => c.Operation.Removes())) return plan;
            var wecom = _options.WeComConnection;
            if (wecom == null)
            {
                Output.WriteWarning(DeleteCrossCheck.NotCrossCheckedWarning);
                return plan;
            }
            var members = Wait(ct => DeleteCrossCheck.ReadMembersAsync(wecom.Client, Output, ct));
            Output.WriteVerbose($"Deletes checked against {members}.");
            var result = DeleteCrossCheck.Apply(plan, members);
            foreach (var warning in result.Warnings) Output.WriteWarning(warning);
            return result.Plan;
        }

        private ICollection<string> MappedFields() => _options.FieldMap?.MappedFields.ToList()
            ?? Client.Settings.FieldMap?.MappedFields.ToList();

        /// <summary>The export, read once: members, tree and skipped records together. Bad rows are errors, written once.</summary>
        private AddressBookExport ReadExport(string file)
        {
            var step = Log.BeginStep("read export");
            if (!string.Equals(file, _options.Path, StringComparison.Ordinal))
                Output.WriteVerbose($"Export: {file} ({File.GetLastWriteTime(file):yyyy-MM-dd HH:mm}), the newest in {_options.Path}.");
            var stale = ExportTimestamp.StaleWarning(file, _options.MaxExportAge, DateTimeOffset.Now);
            if (stale != null) Output.WriteWarning(stale);
            // Skipped counts the bad rows as reported: a 账号 on two rows is two bad rows, neither synced.
            var counted = new ErrorCounter(Output);
            _options.Read.WarnIncompleteForDeletes = false;   // a bad row is reported once: its error, and the refusal if deletes follow
            var export = new AddressBookReader(_options.Read, counted).ReadExport(file);
            Cancellation.ThrowIfCancellationRequested();
            int skipped = counted.Errors;
            step.Count(RunLog.StepCounter.Read, export.Users.Count);
            step.Count(RunLog.StepCounter.Skipped, skipped);
            string counts = $"{export.Users.Count} member(s), {export.Departments.Count} department(s).";
            step.Complete(skipped > 0 ? RunLog.RunStatus.PartiallyFailed : RunLog.RunStatus.Succeeded,
                skipped > 0 ? $"{skipped} bad row(s) skipped; {counts}" : counts);
            if (export.Users.Count == 0)
            {
                throw new RunFailure(new OutputError("UpstreamExportEmpty", ProblemKind.InvalidData, _options.Path,
                    $"The export '{_options.Path}' holds no valid member: nothing to sync (a delete-only run on it would delete everyone).",
                    "Export the address book again from the WeCom admin console (Contacts > Export), and check -Sheet/-StartRow."));
            }
            return export;
        }

        /// <summary>The wanted side given as it is: one step that counts it, as a read of the file would.</summary>
        private AddressBookExport Given(AddressBookExport export)
        {
            var step = Log.BeginStep("read export");
            step.Count(RunLog.StepCounter.Read, export.Users.Count);
            step.Complete(RunLog.RunStatus.Succeeded, $"{export.Users.Count} member(s), {export.Departments.Count} department(s), given.");
            return export;
        }

        /// <summary>
        /// Authing as it is now, read once before anything changes: a user whose department is renamed below is then
        /// planned onto the new link id, which also rewrites its department link field.
        /// </summary>
        private (List<Department> Departments, List<User> Users) ReadAuthing(ref string rootLinkId, Department top)
        {
            var step = Log.BeginStep("read Authing");
            var reader = new AuthingDirectoryReader(Client, Output) { Parallelism = _options.ThrottleLimit, FieldMap = _options.FieldMap };
            string given = rootLinkId;
            var map = Wait(ct => reader.ReadDepartmentsAsync(_options.OrganizationCode, given, ct));
            string detected = null;
            if (top != null && RootLink.LinkedToWeComRoot(map))
            {
                rootLinkId = top.LinkId;
                map = map.WithRootLink(rootLinkId);
                detected = RootLink.Detected(_options.OrganizationCode, top.Path ?? top.Name);
                Output.WriteVerbose(detected);
            }
            var from = _authing.Describe(_options.OrganizationCode);   // a plan computed against these records it
            var departments = map.ToDepartments(true);
            foreach (var department in departments)
            {
                department.ReadFrom = from;
                if (department.IncompleteReason != null) Output.WriteWarning(department.IncompleteReason);
            }
            var read = Wait(ct => reader.ReadUsersAsync(map, null, ct));
            foreach (var failure in read.FailedPages) Output.WriteError(ServiceError(failure));
            foreach (var user in read.Users) user.ReadFrom = from;
            step.Count(RunLog.StepCounter.Read, departments.Count + read.Users.Count);
            CompleteRead(step, $"{departments.Count} department(s), {read.Users.Count} user(s).{(detected == null ? "" : " " + detected)}", read.FailedPages);
            return (departments, read.Users);
        }
    }
}
