using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using WeComSync.AddressBook;
using WeComSync.Apply;
using WeComSync.Authing;
using WeComSync.Comparison;
using WeComSync.Emulator;
using WeComSync.Http;
using WeComSync.Model;
using WeComSync.RunLog;
using WeComSync.Tests.AddressBook;
using WeComSync.Workflow;
using Xunit;

namespace WeComSync.Tests.Workflow
{
    /// <summary>
    /// Undo end to end, against the emulator over HTTP on 127.0.0.1: the state of the pool is dumped through
    /// GET /_emulator/state before a run and after its undo, and compared.
    /// </summary>
    public sealed class UndoRunTests : IAsyncLifetime, IDisposable
    {
        private const string Org = EmulatorDefaults.OrganizationCode;
        private const string Top = "撤销科技";
        private static readonly string[] Departments = { Top + "/研发部/后端组", Top + "/研发部/前端组", Top + "/销售部", Top + "/销售部/华东" };
        private EmulatorServer _server;
        private AuthingConnection _connection;
        private readonly ExportFixture _files = new ExportFixture();
        private string Logs => Path.Combine(_files.Folder, "logs");

        public async Task InitializeAsync()
        {
            _server = await EmulatorServer.StartAsync();
            _connection = new AuthingConnection(new AuthingSettings
            {
                ApiHost = _server.BaseUrl.ToString(),
                AccessKeyId = EmulatorDefaults.AccessKeyId,
                AccessKeySecret = EmulatorDefaults.AccessKeySecret,
                OrganizationCode = Org,
                Retry = new RetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20), AttemptTimeout = TimeSpan.FromSeconds(10) },
            });
            await _connection.Client.SetCustomFieldsAsync(await AuthingLinkFields.MissingAsync(_connection.Client, default), default);
        }

        public async Task DisposeAsync()
        {
            _connection.Dispose();
            await _server.DisposeAsync();
        }

        public void Dispose() => _files.Dispose();

        private static Dictionary<string, object> Member(int i, string department = null, string mobile = null, string name = null) =>
            ExportFixture.Member(name ?? $"成员{i}", $"ud{i:0000}", department ?? Departments[i % Departments.Length], mobile ?? $"1390000{i:0000}");

        /// <summary>The known state: 25 members in four departments, synced upstream with no run log.</summary>
        private void Seed()
        {
            string file = _files.Write("seed.xlsx", ExportFixture.Sheet(Enumerable.Range(1, 25).Select(i => Member(i)).ToArray()));
            new UpstreamRun(_connection, new UpstreamOptions { Path = file, OrganizationCode = Org, IgnoreRootDepartment = true }, new RecordingHost()).Run();
        }

        /// <summary>
        /// The run to undo: creates 5 (ud0026 … ud0030), updates 10 (ud0001's mobile, nine names), renames 销售部/华东 to
        /// 销售部/华南 (its members re-keyed with it), suspends 3 (ud0021 … ud0023) and deletes 2 (ud0024, ud0025).
        /// </summary>
        private RunRecord ForwardRun()
        {
            var rows = new List<Dictionary<string, object>>();
            for (int i = 1; i <= 30; i++)
            {
                if (i >= 21 && i <= 25) continue;   // suspended or deleted below, by their own steps
                string department = Departments[i % Departments.Length].Replace("/华东", "/华南");
                rows.Add(i == 1 ? Member(i, department, mobile: "13711110001") : i <= 10 ? Member(i, department, name: $"改名{i}") : Member(i, department));
            }
            string file = _files.Write("forward.xlsx", ExportFixture.Sheet(rows.ToArray()));
            var run = new MixedRun(_connection, file, new[] { "ud0021", "ud0022", "ud0023" }, new[] { "ud0024", "ud0025" }, new MixedOptions { LogPath = Logs }, new RecordingHost());
            var record = run.Run();
            Assert.Equal(RunStatus.Succeeded, record.Status);
            Assert.Equal(1, record.Steps.Single(s => s.Name == "departments").Updated);
            Assert.Equal(5, record.Steps.Single(s => s.Name == "users").Created);
            Assert.True(record.Steps.Single(s => s.Name == "users").Updated >= 10);
            Assert.Equal(3, record.Steps.Single(s => s.Name == "suspend users").Suspended);
            Assert.Equal(2, record.Steps.Single(s => s.Name == "delete users").Deleted);
            return record;
        }

        private RunRecord Undo(RunRecord forward, RecordingHost host, Action<UndoOptions> with = null)
        {
            // Undoing the 5 creates deletes 5 of 28 users: the guard's percentage raised as an admin would, after a -WhatIf.
            var options = new UndoOptions { Run = RunLogReader.FindRun(Logs, forward.ShortId), Authing = _connection, LogPath = Logs, DeleteGuard = new DeleteGuard { MaxDeletePercent = 20 } };
            with?.Invoke(options);
            return new UndoRun(options, host).Run();
        }

        /// <summary>The emulator's Authing state, over HTTP, as comparable text per object: users by username, departments by id.</summary>
        private async Task<Dictionary<string, string>> DumpAsync()
        {
            using var http = new HttpClient();
            var state = JObject.Parse(await http.GetStringAsync(new Uri(_server.BaseUrl, "_emulator/state")));
            var objects = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (JObject user in state["authing"]["users"])
            {
                foreach (var volatileField in new[] { "userId", "createdAt", "updatedAt" }) user.Remove(volatileField);
                if (user["departmentIds"] is JArray ids)
                {
                    // set-user-departments names the main department (the run re-keyed these members' links with it): a
                    // member of one department has it as its main one either way.
                    if (ids.Count == 1 && (string)user["mainDepartmentId"] == (string)ids[0]) user.Remove("mainDepartmentId");
                    user["departmentIds"] = new JArray(ids.Select(t => (string)t).OrderBy(t => t, StringComparer.Ordinal));
                }
                objects["user " + (string)user["username"]] = Sorted(user).ToString(Newtonsoft.Json.Formatting.None);
            }
            foreach (JObject department in state["authing"]["departments"])
            {
                foreach (var volatileField in new[] { "createdAt", "updatedAt" }) department.Remove(volatileField);
                objects["department " + (string)department["departmentId"]] = Sorted(department).ToString(Newtonsoft.Json.Formatting.None);
            }
            return objects;
        }

        private static JObject Sorted(JObject o) => new JObject(o.Properties().OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => new JProperty(p.Name, p.Value is JObject inner ? Sorted(inner) : p.Value)));

        private static void AssertSame(Dictionary<string, string> expected, Dictionary<string, string> actual, params string[] except)
        {
            var skip = new HashSet<string>(except);
            Assert.Equal(expected.Keys.Where(k => !skip.Contains(k)).OrderBy(k => k), actual.Keys.Where(k => !skip.Contains(k)).OrderBy(k => k));
            foreach (var key in expected.Keys.Where(k => !skip.Contains(k))) Assert.True(expected[key] == actual[key], $"{key}:\n before {expected[key]}\n after  {actual[key]}");
        }

        [Fact]
        public async Task Undo_of_a_run_that_created_updated_suspended_deleted_and_renamed_restores_the_pool_but_the_new_ids_of_recreated_users()
        {
            Seed();
            var before = await DumpAsync();
            var forward = ForwardRun();
            var oldIds = _server.State.Dump().Authing.Users.ToDictionary(u => u.Username, u => u.UserId);
            var host = new RecordingHost();

            var undo = Undo(forward, host);

            Assert.True(undo.Stale + undo.Failed == 0, string.Join("\n", host.Warnings.Concat(host.Errors.Select(e => e.Message))));
            Assert.Equal(RunStatus.Succeeded, undo.Status);
            Assert.Equal(ExitCodes.Success, undo.ExitCode);
            Assert.Equal(forward.RunId, undo.Undoes);
            Assert.Equal(new[] { "read run log", "users", "rename departments back" }, undo.Steps.Select(s => s.Name));
            Assert.Equal(5, undo.Deleted);      // the created users
            Assert.Equal(2, undo.Created);      // the deleted ones, again
            Assert.Equal(0, undo.Stale + undo.Failed);
            AssertSame(before, await DumpAsync());
            // The re-created users have new Authing ids, named in the undo run's summary with what does not come back.
            foreach (var userId in new[] { "ud0024", "ud0025" })
            {
                var now = _server.State.Dump().Authing.Users.Single(u => u.Username == userId).UserId;
                Assert.Contains($"{userId} → {now}", undo.Message);
            }
            Assert.Contains("MFA", undo.Message);
            Assert.Empty(host.Errors);
            // The log names the run it undoes, and the report links the two.
            Assert.Equal(forward.RunId, RunLogReader.FindRun(Logs, undo.ShortId).Undoes);
            string Line(RunRecord r, string label) => WeComSync.Report.SyncReportBuilder.FromRuns(new[] { RunLogReader.FindRun(Logs, r.ShortId) })
                .Sections.Single(s => s.Heading == "Run").Lines.SingleOrDefault(l => l.Key == label).Value;
            Assert.Equal(forward.RunId, Line(undo, "Undoes"));
            Assert.Contains(undo.RunId, Line(forward, "Undone by"));
        }

        [Fact]
        public async Task A_user_changed_by_hand_since_the_run_is_Stale_naming_the_field_and_everything_else_is_restored()
        {
            Seed();
            var before = await DumpAsync();
            var forward = ForwardRun();
            var edited = _server.State.Dump().Authing.Users.Single(u => u.Username == "ud0001");
            await _connection.Client.UpdateUserAsync(edited.UserId, JObject.Parse("{\"phone\":\"13600006666\",\"phoneCountryCode\":\"+86\"}"), default);
            var host = new RecordingHost();

            var undo = Undo(forward, host);

            Assert.Equal(1, undo.Stale);
            Assert.Contains(host.Warnings, w => w.Contains("ud0001") && w.Contains("Mobile was +86 13711110001 in the plan, is +86 13600006666 now"));
            var after = await DumpAsync();
            AssertSame(before, after, "user ud0001");
            Assert.Contains("\"phone\":\"13600006666\"", after["user ud0001"]);   // the hand edit is left alone

            // -Force writes it back over the hand edit; everything else is already undone and is not sent again.
            var forced = Undo(forward, new RecordingHost(), o => o.Force = true);
            Assert.Equal((1, 0), (forced.Updated, forced.Stale));
            AssertSame(before, await DumpAsync());
        }

        [Fact]
        public async Task Undoing_the_same_run_twice_makes_no_write_the_second_time_everything_AlreadyApplied()
        {
            Seed();
            var forward = ForwardRun();
            Undo(forward, new RecordingHost());
            var once = await DumpAsync();
            long writes = Writes();

            var twice = Undo(forward, new RecordingHost());

            Assert.Equal(writes, Writes());
            Assert.Equal(0, twice.Created + twice.Updated + twice.Deleted + twice.Suspended + twice.Stale + twice.Failed);
            Assert.True(twice.AlreadyApplied >= 21, $"{twice.AlreadyApplied} already applied");
            Assert.StartsWith($"Nothing left to undo of run {forward.RunId}: its {twice.AlreadyApplied} change(s) are undone already.", twice.Message);
            AssertSame(once, await DumpAsync());
        }

        [Fact]
        public void Parts_of_a_run_and_the_delete_guard_counting_the_deletes_the_undo_would_make()
        {
            Seed();
            var forward = ForwardRun();

            // Only one user: only that user's changes.
            var one = Undo(forward, new RecordingHost(), o => o.UserIds = new[] { "UD0001" });
            Assert.Equal(new[] { "read run log", "users" }, one.Steps.Select(s => s.Name));
            Assert.Equal(1, one.Updated);
            Assert.Equal("+86 13900000001", Phone("ud0001"));

            // Undoing the 5 creates deletes 5 of 28 users: over the default guard's 10 %, nothing is deleted without -Force.
            var e = Assert.Throws<SyncRunException>(() => Undo(forward, new RecordingHost(), o => { o.Operations = new[] { ChangeOperation.Create }; o.DeleteGuard = new DeleteGuard(); }));
            Assert.Equal("DeleteGuard", e.Error.ErrorId);
            Assert.Equal(ExitCodes.Stopped, e.Record.ExitCode);
            Assert.Equal(28, _server.State.Dump().Authing.Users.Count);

            // With -DeleteAction Suspend the created users are suspended instead, and -Step takes one step of the run.
            var suspended = Undo(forward, new RecordingHost(), o => { o.Operations = new[] { ChangeOperation.Create }; o.DeleteAction = DeleteAction.Suspend; o.DeleteGuard = new DeleteGuard { Force = true }; });
            Assert.Equal(5, suspended.Suspended);
            Assert.All(_server.State.Dump().Authing.Users.Where(u => string.CompareOrdinal(u.Username, "ud0026") >= 0), u => Assert.Equal("Suspended", u.Status));
            var step = Undo(forward, new RecordingHost(), o => o.Steps = new[] { "delete users" });
            Assert.Equal(2, step.Created);
        }

        [Fact]
        public void A_dry_run_shows_the_inverse_plan_and_writes_nothing_and_a_run_without_before_images_is_refused()
        {
            Seed();
            var forward = ForwardRun();
            long writes = Writes();
            var host = new RecordingHost();

            var dry = Undo(forward, host, o => o.WhatIf = true);

            Assert.True(dry.WhatIf);
            Assert.Equal(writes, Writes());
            Assert.StartsWith("What if:", dry.Message);
            Assert.Contains(host.Information, i => i.Contains("ud0026"));
            Assert.Equal(2, UndoRun.Plan(new UndoOptions { Run = RunLogReader.FindRun(Logs, forward.ShortId), Authing = _connection }, new RecordingHost()).Count);

            File.Delete(Path.Combine(forward.Path, RunLogFiles.Before));
            var e = Assert.Throws<SyncRunException>(() => Undo(forward, new RecordingHost()));
            Assert.Equal("UndoNoBeforeImages", e.Error.ErrorId);
            Assert.Equal(writes, Writes());
        }

        private string Phone(string username)
        {
            var u = _server.State.Dump().Authing.Users.Single(x => x.Username == username);
            return u.PhoneCountryCode + " " + u.Phone;
        }

        private long Writes()
        {
            long n = 0;
            foreach (var api in new[] { "create-department", "update-department", "delete-department", "create-users-batch", "create-user", "delete-users-batch", "update-user", "set-user-departments" })
                n += _server.State.Calls.Get("/api/v3/" + api);
            return n;
        }

        private sealed class MixedOptions : SyncRunOptions
        {
        }

        /// <summary>
        /// One run that does everything the end-to-end test asks of a run (an upstream CreateUpdate run does not
        /// delete and a DeleteOnly run does not create): the upstream run's department and user plans from the export,
        /// then suspends and deletes of named users, each a step, through the same appliers and run log.
        /// </summary>
        private sealed class MixedRun : SyncRun
        {
            private readonly AuthingConnection _authing;
            private readonly string _file;
            private readonly string[] _suspend, _delete;

            public MixedRun(AuthingConnection authing, string file, string[] suspend, string[] delete, SyncRunOptions options, IOutputWriter output) : base(output, options)
            {
                _authing = authing; _file = file; _suspend = suspend; _delete = delete;
            }

            public override string RunName => "upstream-mixed";

            protected override string Service => AuthingClient.ServiceName;

            protected override void Execute()
            {
                var export = new AddressBookReader(new AddressBookReadOptions(), Output).ReadExport(_file);
                string root = export.Departments.First(d => d.IsRoot).LinkId;
                var reader = new AuthingDirectoryReader(_authing.Client, Output);
                var map = Wait(ct => reader.ReadDepartmentsAsync(Org, root, ct));
                var departments = map.ToDepartments(true);
                var users = Wait(ct => reader.ReadUsersAsync(map, null, ct)).Users;
                var departmentPlan = DirectoryComparer.CompareDepartments(export.Departments, departments, new CompareOptions(), export.Users, users);
                ApplyStep("departments", departmentPlan.Changes, () => new AuthingDepartmentApplier(_authing.Client, Org, root));
                var userPlan = DirectoryComparer.CompareUsers(export.Users, users, new CompareOptions());
                ApplyStep("users", userPlan.Changes, () => new AuthingUserApplier(_authing.Client, Org, root));
                var context = new PlanContext { Kind = ObjectKind.User, TargetCount = users.Count };
                Change Leaver(string id, ChangeOperation op, int seq) => new Change { Operation = op, Kind = ObjectKind.User, Key = id, Current = users.Single(u => u.UserId == id), Sequence = seq, Plan = context };
                var guard = new DeleteGuard { Force = true };
                ApplyStep("suspend users", _suspend.Select((id, i) => Leaver(id, ChangeOperation.Suspend, i + 1)).ToList(), () => new AuthingUserApplier(_authing.Client, Org, root), guard: guard);
                ApplyStep("delete users", _delete.Select((id, i) => Leaver(id, ChangeOperation.Delete, i + 1)).ToList(), () => new AuthingUserApplier(_authing.Client, Org, root), guard: guard);
            }
        }
    }
}
