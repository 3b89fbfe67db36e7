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
            var missing = Wait(ct => _options.OnDemand ? OnDemand.MissingLinkFieldsAsync(Client, null, ct) : AuthingLinkFields.MissingAsync(Client, ct));
            if (missing.Count > 0) throw new RunFailure(AuthingLinkFields.MissingError(Client, missing, _authing));
            var export = _options.Export != null ? Given(_options.Export) : ReadExport(ResolveExport(_options.Path));
            // The file's top department is the company: with -IgnoreRootDepartment the organization's root stands for it
            // (the root carries its link), and so it does in a pool a downstream run linked to WeCom's root (RootLink);
            // otherwise it is planned as an ordinary department under the root.
            var top = export.Departments.FirstOrDefault(d => d.IsRoot);
            string rootLinkId = _options.IgnoreRootDepartment ? top?.LinkId : null;

            if (_options.OnDemand)
            {
                ExecuteOnDemand(export, rootLinkId);
                return;
            }

            var (departments, users) = ReadAuthing(ref rootLinkId, top);
            var everyDepartment = export.Departments.Concat(departments).ToList();

            if (_options.Mode == UpstreamMode.CreateUpdate)
            {
                var departmentPlan = DirectoryComparer.CompareDepartments(export.Departments, departments,
                    new CompareOptions { Scope = _options.Scope() }, export.Users, users);
                RefuseStep("departments", departmentPlan);
                ApplyStep("departments", departmentPlan.Changes, () => new AuthingDepartmentApplier(Client, _options.OrganizationCode, rootLinkId), Notes(departmentPlan));

                var userPlan = DirectoryComparer.CompareUsers(export.Users, users, new CompareOptions
                {
                    UpdateMode = _options.UpdateMode,
                    ExcludeProperty = _options.ExcludeProperty,
                    MappedFields = MappedFields(),
                    Scope = _options.Scope(everyDepartment),
                });
                RefusedRows(userPlan);
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
                RefusedRows(plan);
                plan = CrossChecked(plan);
                RefuseDeletes(plan);
                ApplyStep("delete users", plan.Changes, () => new AuthingUserApplier(Client, _options.OrganizationCode, null), Notes(plan));
            }
        }

        /// <summary>
        /// The named users only (<see cref="SyncRunOptions.UserIds"/>): their rows of the file (read once, whole, so
        /// its bad rows and its completeness are known), against their Authing records read one by one (the link field,
        /// else the username) and the Authing departments they need (their current ones and the file's, found by id and
        /// by walking down from the root one level at a time), never a listing of the pool. A userid not in the file is
        /// an error; only -Mode DeleteOnly removes it, under a delete-only run's rules.
        /// </summary>
        private void ExecuteOnDemand(AddressBookExport export, string rootLinkId)
        {
            var ids = OnDemand.Requested(_options.UserIds);
            if (ids.Count == 0) Output.WriteWarning(OnDemand.NoUserIdWarning);
            string file = _options.Path ?? "the given export";
            var wanted = new Dictionary<string, User>(StringComparer.OrdinalIgnoreCase);
            var asked = new HashSet<string>(ids, StringComparer.OrdinalIgnoreCase);
            foreach (var u in export.Users)
                foreach (var key in new[] { u.UserId, u.PreviousUserId })
                    if (key != null && asked.Contains(key) && !wanted.ContainsKey(key)) wanted[key] = u;
            var skipped = export.Users.Select(u => u.Skipped).FirstOrDefault(k => k != null);
            var rows = wanted.Values.Distinct().ToList();
            var notInFile = new List<string>();
            foreach (var id in ids.Where(i => !wanted.ContainsKey(i)))
            {
                if (skipped != null && skipped.Contains(id))
                {
                    // On a bad row: in the file all the same, so never deleted; its row error was already written.
                    Output.WriteError(new OutputError("UpstreamUserOnSkippedRow", ProblemKind.InvalidData, id,
                        $"{id} is in the export on a row that was skipped ({skipped.Keys[id]}): nothing was synced or deleted for it.", AddressBookReader.FixRowAdvice));
                    continue;
                }
                notInFile.Add(id);
                if (_options.Mode == UpstreamMode.CreateUpdate)
                {
                    Output.WriteError(new OutputError("UpstreamUserNotInExport", ProblemKind.NotFound, id,
                        $"{id} is not in the export '{file}': nothing to sync; to remove it from Authing use -Mode DeleteOnly.",
                        "Check the userid (the 账号 column) and that the export is the newest; run -Mode DeleteOnly -UserId to delete or suspend it."));
                }
            }
            if (_options.Mode == UpstreamMode.DeleteOnly)
                foreach (var id in ids.Where(wanted.ContainsKey)) Output.WriteWarning($"{id} is in the export '{file}': not deleted.");

            // The departments the rows need: each one and its parents (the file's tree has them all).
            var byKey = new Dictionary<string, Department>(StringComparer.Ordinal);
            foreach (var d in export.Departments) if (d.Key != null && !byKey.ContainsKey(d.Key)) byKey[d.Key] = d;
            var needed = new HashSet<Department>();
            if (_options.Mode == UpstreamMode.CreateUpdate)
                foreach (var key in rows.Where(u => u.Departments != null).SelectMany(u => u.Departments))
                    for (var k = key; k != null && byKey.TryGetValue(k, out var d) && needed.Add(d); k = d.ParentKey) { }
            var wantedDepartments = export.Departments.Where(needed.Contains).OrderBy(d => d.Depth).ToList();

            var step = Log.BeginStep("read Authing");
            var lookups = _options.Mode == UpstreamMode.CreateUpdate ? rows.Select(u => (u.UserId, u.PreviousUserId)).ToList() : notInFile.Select(i => (i, (string)null)).ToList();
            var read = Wait(async ct =>
            {
                var root = OnDemand.RootAsync(Client, _options.OrganizationCode, ct);
                var found = await OnDemand.EachAsync(lookups, async l =>
                {
                    var f = await OnDemand.FindAuthingUserAsync(Client, l.Item1, ct).ConfigureAwait(false);
                    // An 'old:new' row: the Authing user still holds the old userid.
                    if (f.Authing == null && f.Failure == null && f.Ambiguous == null && l.Item2 != null) f = await OnDemand.FindAuthingUserAsync(Client, l.Item2, ct).ConfigureAwait(false);
                    return f;
                }, _options.ThrottleLimit, ct).ConfigureAwait(false);
                var current = found.Where(f => f.Authing?.DepartmentIds != null).SelectMany(f => f.Authing.DepartmentIds);
                var (map, planned) = await OnDemand.ReadAuthingDepartmentsForExportAsync(Client, _options.OrganizationCode, root, current, wantedDepartments, rootLinkId, ct).ConfigureAwait(false);
                return (Found: found, Map: map, Planned: planned);
            });
            var from = _authing.Describe(_options.OrganizationCode);
            var mapper = new AuthingUserMapper(Client.Settings, _options.FieldMap);
            var users = new List<User>();
            var failures = new List<Http.ApiException>();
            foreach (var f in read.Found)
            {
                if (f.Failure != null) { failures.Add(f.Failure); Output.WriteError(ServiceError(f.Failure)); continue; }
                if (f.Ambiguous != null)
                {
                    Output.WriteError(new OutputError("UpstreamUserAmbiguous", ProblemKind.InvalidData, f.UserId,
                        $"{f.UserId}: {f.Ambiguous.Count} Authing users hold it in their link field ({string.Join(", ", f.Ambiguous.Select(u => u.Username ?? u.UserId))}): nothing was synced.",
                        "Keep the link field on one of them (Get-AuthingUser shows both), then run again."));
                    rows.RemoveAll(u => string.Equals(u.UserId, f.UserId, StringComparison.OrdinalIgnoreCase));
                    continue;
                }
                if (f.Authing == null) continue;
                var user = mapper.ToModel(f.Authing, read.Map);
                // Only the organization's members, as a full read: another organization's user is not this one's.
                if (user.Departments.Count == 0) continue;
                user.ReadFrom = from;
                users.Add(user);
            }
            // A failed read of a user leaves it out of the plan on both sides: never created twice, never deleted.
            var failed = new HashSet<string>(read.Found.Where(f => f.Failure != null).Select(f => f.UserId), StringComparer.OrdinalIgnoreCase);
            rows.RemoveAll(u => failed.Contains(u.UserId));
            var departments = read.Map.ToDepartments(true).Where(d => d.IsRoot || read.Planned.Contains(d.SourceId)).ToList();
            foreach (var d in departments) d.ReadFrom = from;
            step.Count(RunLog.StepCounter.Read, users.Count + departments.Count);
            string counts = $"{ids.Count} user(s) asked: {rows.Count} in the file, {users.Count} in Authing; departments they need: {departments.Count}.";
            if (notInFile.Count > 0 && _options.Mode == UpstreamMode.CreateUpdate)
                step.Complete(RunLog.RunStatus.PartiallyFailed, $"{counts} Not in the file: {string.Join(", ", notInFile)}.");   // one object each that could not be synced
            else CompleteRead(step, counts, failures);

            // The percentage of the guard is of a pool this run did not read: only -MaxDelete (and -Force) apply.
            var guard = _options.DeleteGuard ?? new DeleteGuard();
            var onDemandGuard = new DeleteGuard { MaxDelete = guard.MaxDelete, MaxDeletePercent = 100, Force = guard.Force };
            var matchBy = new List<MatchKey> { MatchKey.LinkKey, MatchKey.Username };   // no name matching: each side holds only the named users
            if (_options.Mode == UpstreamMode.CreateUpdate)
            {
                var departmentPlan = DirectoryComparer.CompareDepartments(wantedDepartments, departments,
                    new CompareOptions { Scope = _options.Scope(), Operation = PlanOperation.Create | PlanOperation.Update }, rows, users);
                ApplyStep("departments", departmentPlan.Changes, () => new AuthingDepartmentApplier(Client, _options.OrganizationCode, rootLinkId) { Map = read.Map }, Notes(departmentPlan));
                var userPlan = DirectoryComparer.CompareUsers(rows, users, new CompareOptions
                {
                    UpdateMode = _options.UpdateMode,
                    ExcludeProperty = _options.ExcludeProperty,
                    MappedFields = MappedFields(),
                    MatchBy = matchBy,
                    Operation = PlanOperation.Create | PlanOperation.Update,
                    Scope = _options.Scope(wantedDepartments.Concat(departments)),
                });
                ApplyStep("users", userPlan.Changes, () => new AuthingUserApplier(Client, _options.OrganizationCode, rootLinkId) { FieldMap = _options.FieldMap, Map = read.Map }, Notes(userPlan));
                return;
            }

            // Delete-only: the named users absent from the file, under a delete-only run's rules. The file's own
            // incompleteness (a skipped row whose 账号 cannot be read) refuses, as the full run's comparison would: the
            // rows it carries are not among the named ones, so it is judged here.
            var removable = users.Where(u => notInFile.Contains(u.UserId ?? "", StringComparer.OrdinalIgnoreCase)).ToList();
            var plan = DirectoryComparer.CompareUsers(new List<User>(), removable, new CompareOptions
            {
                Operation = PlanOperation.Delete,
                DeleteAction = _options.DeleteAction,
                MatchBy = matchBy,
                Scope = _options.Scope(departments),
            });
            string incomplete = export.Users.Select(u => u.IncompleteReason).FirstOrDefault(r => r != null);
            if (incomplete != null && plan.Changes.Any(c => c.Operation.Removes()))
            {
                plan = new Plan(plan.Changes.Where(c => !c.Operation.Removes()).ToList(), plan.Context);
                plan.Context.DeleteRefusedReason = $"Deletes were refused: the WeCom export was not read completely ({incomplete}), so objects missing from it may still exist.";
                plan.RefusedAdvice = DirectoryComparer.CompleteReadAdvice(DirectorySource.WeComExport) + ".";
            }
            plan = CrossCheckedOnDemand(plan);
            RefuseDeletes(plan);
            ApplyStep("delete users", plan.Changes, () => new AuthingUserApplier(Client, _options.OrganizationCode, null), Notes(plan), onDemandGuard);
        }

        /// <summary>
        /// The on-demand delete plan checked against WeCom one user at a time (user/get, no listing): a user WeCom still
        /// has is not deleted; one WeCom answers 60111 for is gone only when the app sees the whole corp (the sync
        /// secret), else the check is incomplete and every delete is refused. The rules of <see cref="DeleteCrossCheck"/>.
        /// </summary>
        private Plan CrossCheckedOnDemand(Plan plan)
        {
            var removes = plan.Changes.Where(c => c.Operation.Removes()).ToList();
            if (plan.DeleteRefusedReason != null || removes.Count == 0) return plan;
            var wecom = _options.WeComConnection;
            if (wecom == null)
            {
                Output.WriteWarning(DeleteCrossCheck.NotCrossCheckedWarning);
                return plan;
            }
            var members = Wait(async ct =>
            {
                var present = new List<string>();
                string incomplete = null;
                foreach (var c in removes)
                {
                    string id = c.Key;
                    try
                    {
                        await wecom.Client.GetUserAsync(id, ct).ConfigureAwait(false);
                        present.Add(id);
                    }
                    catch (Http.ApiException e) when (e.Is(WeCom.WeComErrorCodes.UserNotFound) || e.Is(WeCom.WeComErrorCodes.UserNotExist))
                    {
                        if (!await wecom.Client.ProvesAbsentAsync(e, ct).ConfigureAwait(false))
                            incomplete = incomplete ?? WeCom.WeComClient.AmbiguousAbsence(id, e);
                    }
                    catch (Http.ApiException e) when (!e.IsFatal)
                    {
                        incomplete = incomplete ?? $"user/get {id} answered {e.Code}: {Http.Redaction.Redact(e.ApiMessage)}";
                    }
                }
                return new WeCom.WeComMemberIds(present, incomplete, "user/get", wecom.CorpId);
            });
            Output.WriteVerbose($"Deletes checked against {members}.");
            var result = DeleteCrossCheck.Apply(plan, members);
            foreach (var warning in result.Warnings) Output.WriteWarning(warning);
            return result.Plan;
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

        /// <summary>A plan refused as a whole (an export under several top departments): the step fails with it and the run stops, nothing written.</summary>
        private void RefuseStep(string name, Plan plan)
        {
            if (plan.Refusal == null) return;
            Log.BeginStep(name);
            throw new RunFailure(plan.Refusal);
        }

        /// <summary>
        /// Rows the comparison refused (a 账号 whose leading zeros were lost): one error each, and a "check export" step that
        /// counts them as skipped rows, so the run ends PartiallyFailed (exit code 2) as for a bad row met while reading.
        /// </summary>
        private void RefusedRows(Plan plan)
        {
            if (plan.Errors.Count == 0) return;
            foreach (var error in plan.Errors) Output.WriteError(error);
            var step = Log.BeginStep("check export");
            step.Count(RunLog.StepCounter.Skipped, plan.Errors.Count);
            step.Complete(RunLog.RunStatus.PartiallyFailed, $"{plan.Errors.Count} row(s) skipped when compared with Authing: a 账号 that looks like a linked user's with its leading zeros lost; nothing is created for it and that user is kept.");
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
            // As for a file with no valid member: a delete-only run of everyone absent from an empty wanted side would empty
            // the pool. Named users (-UserId) are the exception: absent from the source is what deleting them means.
            if (export.Users.Count == 0 && _options.Mode == UpstreamMode.DeleteOnly && (_options.UserIds == null || _options.UserIds.Count == 0))
            {
                throw new RunFailure(new OutputError("UpstreamExportEmpty", ProblemKind.InvalidData, null,
                    "The wanted side given holds no member: a delete-only run on it would delete everyone.",
                    "Give the members the pool should keep, or name the users to remove with -UserId."));
            }
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
