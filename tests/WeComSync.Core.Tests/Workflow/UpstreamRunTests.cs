using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.AddressBook;
using WeComSync.Authing;
using WeComSync.Emulator;
using WeComSync.Emulator.Control;
using WeComSync.Http;
using WeComSync.Model;
using WeComSync.RunLog;
using WeComSync.Tests.AddressBook;
using WeComSync.Workflow;
using Xunit;

namespace WeComSync.Tests.Workflow
{
    /// <summary>
    /// The upstream run's rules (Invoke-WeComUpstreamSync is only its parameters), against the emulator over HTTP on
    /// 127.0.0.1: the steps and their order, fail-fast checks before the file is read, bad rows and failed objects that
    /// never stop the run, the delete refusal and the delete guard, the dry run, Ctrl+C, and the exit codes.
    /// </summary>
    public sealed class UpstreamRunTests : IAsyncLifetime, IDisposable
    {
        private const string Org = EmulatorDefaults.OrganizationCode;
        private const string Top = "工作流科技";
        private EmulatorServer _server;
        private AuthingConnection _connection;
        private readonly ExportFixture _files = new ExportFixture();

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
        }

        public async Task DisposeAsync()
        {
            _connection.Dispose();
            await _server.DisposeAsync();
        }

        public void Dispose() => _files.Dispose();

        private async Task LinkFieldsAsync() =>
            await _connection.Client.SetCustomFieldsAsync(await AuthingLinkFields.MissingAsync(_connection.Client, default), default);

        private static readonly string[] Departments = { Top + "/研发部/后端组", Top + "/研发部/前端组", Top + "/销售部", Top + "/销售部/华东" };

        /// <summary>An export of <paramref name="count"/> members spread over the departments, plus <paramref name="extra"/> rows as given.</summary>
        private string Export(string name, int count, params Dictionary<string, object>[] extra)
        {
            var members = Enumerable.Range(1, count)
                .Select(i => ExportFixture.Member($"成员{i}", $"wf{i:0000}", Departments[i % Departments.Length], $"1390000{i:0000}"))
                .Concat(extra).ToArray();
            return _files.Write(name, ExportFixture.Sheet(members));
        }

        private static readonly Dictionary<string, object> BadName = ExportFixture.Member("", "noname", Top + "/销售部", "13911112222");

        private UpstreamRun Run(UpstreamOptions options, RecordingHost host)
        {
            options.OrganizationCode = options.OrganizationCode ?? Org;
            options.IgnoreRootDepartment = true;
            return new UpstreamRun(_connection, options, host);
        }

        private long Writes() => _server.State.Calls.Get("/api/v3/create-department") + _server.State.Calls.Get("/api/v3/create-users-batch")
            + _server.State.Calls.Get("/api/v3/create-user") + _server.State.Calls.Get("/api/v3/delete-users-batch") + _server.State.Calls.Get("/api/v3/update-user");

        private List<string> AuthingUserIds() => _server.State.Dump().Authing.Users.Select(u => u.Username).OrderBy(u => u, StringComparer.Ordinal).ToList();

        [Fact]
        public async Task A_first_run_reads_then_creates_departments_parents_first_then_users_and_a_second_run_plans_nothing()
        {
            await LinkFieldsAsync();
            string file = Export("first.xlsx", 12);
            var host = new RecordingHost();

            var record = Run(new UpstreamOptions { Path = file }, host).Run();

            Assert.Equal(new[] { "read export", "read Authing", "departments", "users" }, record.Steps.Select(s => s.Name));
            Assert.Equal(RunStatus.Succeeded, record.Status);
            Assert.Equal(ExitCodes.Success, record.ExitCode);
            Assert.Equal(5, record.Steps.Single(s => s.Name == "departments").Created);   // 研发部 before its two groups; 销售部 before 华东
            Assert.Equal(12, record.Steps.Single(s => s.Name == "users").Created);
            // Parents first: every department's parent existed when it was created (the emulator refuses an unknown parent).
            var departments = _server.State.Dump().Authing.Departments.Where(d => d.OrganizationCode == Org).ToList();
            Assert.Equal(5, departments.Count);   // the top department is the organization's root
            Assert.Empty(host.Errors);

            long writes = Writes();
            var again = Run(new UpstreamOptions { Path = file }, new RecordingHost()).Run();
            Assert.Equal(0, again.Created + again.Updated + again.Deleted + again.Failed);
            Assert.Equal(writes, Writes());
        }

        [Fact]
        public async Task A_pool_without_link_fields_stops_before_the_file_is_read_with_one_error_that_says_what_to_run()
        {
            var host = new RecordingHost();
            // The file does not even exist: the link fields are checked first, so that is the one error.
            var e = Assert.Throws<SyncRunException>(() => Run(new UpstreamOptions { Path = _files.PathOf("missing.xlsx") }, host).Run());

            Assert.Equal("AuthingLinkFieldsMissing", e.Error.ErrorId);
            Assert.Contains("Initialize-AuthingLinkField", e.Error.RecommendedAction);
            Assert.Equal(RunStatus.Failed, e.Record.Status);
            Assert.Equal(ExitCodes.Failed, e.Record.ExitCode);
            Assert.Empty(e.Record.Steps);   // nothing was read
            Assert.Empty(host.Errors);
            Assert.Equal(0, Writes());
        }

        [Fact]
        public async Task A_missing_file_is_one_error_with_the_readers_id_and_a_folder_means_its_newest_export()
        {
            await LinkFieldsAsync();
            var e = Assert.Throws<SyncRunException>(() => Run(new UpstreamOptions { Path = _files.PathOf("nope.xlsx") }, new RecordingHost()).Run());
            Assert.Equal(ProblemCodes.FileNotFound, e.Error.ErrorId);
            Assert.Contains("Cannot find the export file", e.Error.Message);

            // A folder: its newest export is read, an older one and other files are not.
            string folder = Path.Combine(_files.Folder, "exports");
            Directory.CreateDirectory(folder);
            string old = Export("old.xlsx", 3);
            File.Move(old, Path.Combine(folder, "old.xlsx"));
            File.SetLastWriteTimeUtc(Path.Combine(folder, "old.xlsx"), DateTime.UtcNow.AddDays(-2));
            File.Move(Export("new.xlsx", 5), Path.Combine(folder, "new.xlsx"));
            File.WriteAllText(Path.Combine(folder, "notes.txt"), "not an export");
            var record = Run(new UpstreamOptions { Path = folder }, new RecordingHost()).Run();
            Assert.Equal(5, record.Steps.Single(s => s.Name == "read export").Read);

            string empty = Path.Combine(_files.Folder, "empty");
            Directory.CreateDirectory(empty);
            e = Assert.Throws<SyncRunException>(() => Run(new UpstreamOptions { Path = empty }, new RecordingHost()).Run());
            Assert.Contains("holds no export", e.Error.Message);
        }

        [Fact]
        public async Task Bad_rows_and_failed_creates_are_one_error_each_and_never_stop_the_run_exit_code_2()
        {
            await LinkFieldsAsync();
            _server.State.Faults.Add(new FaultRule { Api = "authing", Path = "/api/v3/create-users-batch", Kind = "errcode", Status = 400 });
            _server.State.Faults.Add(new FaultRule { Api = "authing", Path = "/api/v3/create-user", Kind = "errcode", Status = 400 });
            var host = new RecordingHost();

            var record = Run(new UpstreamOptions { Path = Export("bad.xlsx", 6, BadName) }, host).Run();

            Assert.Equal(RunStatus.PartiallyFailed, record.Status);
            Assert.Equal(ExitCodes.PartiallyFailed, record.ExitCode);
            Assert.Equal(1, record.Steps.Single(s => s.Name == "read export").Skipped);
            Assert.Equal(5, record.Steps.Single(s => s.Name == "departments").Created);
            Assert.Equal(6, record.Steps.Single(s => s.Name == "users").Failed);
            // One error per bad row and per failed user, and the bad row not again as a warning.
            Assert.Single(host.Errors, e => e.ErrorId == ProblemCodes.EmptyName);
            Assert.Equal(6, host.Errors.Count(e => e.ErrorId.StartsWith("AuthingSync", StringComparison.Ordinal) && e.Kind == ProblemKind.WriteFailed));
            Assert.Equal(7, host.Errors.Count);
            Assert.DoesNotContain(host.Warnings, w => w.Contains("row "));
        }

        [Fact]
        public async Task A_file_with_no_valid_member_is_refused_before_Authing_is_read()
        {
            await LinkFieldsAsync();
            string file = _files.Write("all-bad.xlsx", ExportFixture.Sheet(BadName));

            var e = Assert.Throws<SyncRunException>(() => Run(new UpstreamOptions { Path = file, Mode = UpstreamMode.DeleteOnly }, new RecordingHost()).Run());

            Assert.Equal("UpstreamExportEmpty", e.Error.ErrorId);
            Assert.Equal(new[] { "read export" }, e.Record.Steps.Select(s => s.Name));
            Assert.Equal(0, Writes());
        }

        [Fact]
        public async Task DeleteOnly_stops_at_the_delete_guard_with_nothing_deleted_exit_code_3_then_deletes_exactly_the_absent_users()
        {
            await LinkFieldsAsync();
            Run(new UpstreamOptions { Path = Export("all.xlsx", 20) }, new RecordingHost()).Run();
            string fewer = Export("fewer.xlsx", 16);   // wf0017 … wf0020 left: 4 of 20 = 20 %

            var e = Assert.Throws<SyncRunException>(() => Run(new UpstreamOptions { Path = fewer, Mode = UpstreamMode.DeleteOnly }, new RecordingHost()).Run());

            Assert.Equal("DeleteGuard", e.Error.ErrorId);
            Assert.Equal(ProblemKind.LimitsExceeded, e.Error.Kind);
            Assert.Equal(RunStatus.Stopped, e.Record.Status);
            Assert.Equal(ExitCodes.Stopped, e.Record.ExitCode);
            Assert.Equal(RunStatus.Stopped, e.Record.Steps.Single(s => s.Name == "delete users").Status);
            Assert.Equal(20, AuthingUserIds().Count);

            var host = new RecordingHost();
            var record = Run(new UpstreamOptions { Path = fewer, Mode = UpstreamMode.DeleteOnly, DeleteGuard = new global::WeComSync.Apply.DeleteGuard { MaxDeletePercent = 25 } }, host).Run();
            Assert.Equal(4, record.Deleted);
            Assert.Equal(ExitCodes.Success, record.ExitCode);
            Assert.Equal(4, host.Prompts.Count);   // each delete asked, on the caller's thread
            Assert.Equal(Enumerable.Range(1, 16).Select(i => $"wf{i:0000}"), AuthingUserIds());
        }

        [Fact]
        public async Task DeleteOnly_on_a_file_with_an_unreadable_account_refuses_every_delete_and_says_so_once()
        {
            await LinkFieldsAsync();
            Run(new UpstreamOptions { Path = Export("all.xlsx", 10) }, new RecordingHost()).Run();
            var unreadable = ExportFixture.Member("某人", "", Top + "/销售部", "13922223333");
            var host = new RecordingHost();

            var e = Assert.Throws<SyncRunException>(() => Run(new UpstreamOptions { Path = Export("partial.xlsx", 8, unreadable), Mode = UpstreamMode.DeleteOnly }, host).Run());

            Assert.Equal("DeleteRefusedIncompleteRead", e.Error.ErrorId);
            Assert.Equal(RunStatus.Failed, e.Record.Status);
            Assert.Equal(10, AuthingUserIds().Count);
            Assert.Single(host.Errors);             // the bad row, once
            Assert.Empty(host.Warnings);            // and not again as a warning: the refusal says it
        }

        [Fact]
        public async Task A_dry_run_asks_nothing_writes_nothing_shows_the_plan_view_and_is_marked_in_the_log()
        {
            await LinkFieldsAsync();
            var host = new RecordingHost();
            string logs = Path.Combine(_files.Folder, "logs");

            var record = Run(new UpstreamOptions { Path = Export("plan.xlsx", 25), WhatIf = true, LogPath = logs }, host).Run();

            Assert.Empty(host.Prompts);
            Assert.Equal(0, Writes());
            Assert.True(record.WhatIf);
            Assert.Equal("What if: departments: 5 to create; users: 25 to create. Nothing was written.", record.Message);
            Assert.Equal(2, host.Information.Count);
            string users = host.Information.Single(i => i.StartsWith("users:", StringComparison.Ordinal));
            Assert.StartsWith("users: 25 to create", users);
            Assert.Contains("… 15 more to create", users);                         // a long group cut with a count
            Assert.Equal(1 + PlanDigest.MaxLinesPerGroup + 1, users.Split('\n').Length);
            Assert.True(RunLogReader.GetRuns(logs).Single().WhatIf);        // the log says it was a dry run
        }

        [Fact]
        public async Task Ctrl_C_in_the_users_step_records_the_run_as_interrupted_exit_code_130_and_every_sent_change_as_applied_or_unknown()
        {
            await LinkFieldsAsync();
            _server.State.Faults.Add(new FaultRule { Api = "authing", Path = "/api/v3/create-users-batch", Kind = "latency", LatencyMs = 300, Rate = 1 });
            using var stop = new CancellationTokenSource();
            var host = new RecordingHost { CancellationToken = stop.Token };
            // Stop as soon as the first batch has been sent.
            var watcher = Task.Run(async () =>
            {
                while (_server.State.Calls.Get("/api/v3/create-users-batch") == 0) await Task.Delay(10);
                stop.Cancel();
            });

            var record = Run(new UpstreamOptions { Path = Export("many.xlsx", 120), ThrottleLimit = 1 }, host).Run();
            await watcher;

            Assert.Equal(RunStatus.Interrupted, record.Status);
            Assert.Equal(ExitCodes.Interrupted, record.ExitCode);
            Assert.StartsWith("Interrupted", record.Message);
            var users = record.Steps.Single(s => s.Name == "users");
            Assert.Equal(RunStatus.Interrupted, users.Status);
            // What Authing holds is never more than what the log calls created or unknown.
            Assert.True(users.Created + users.Unknown >= AuthingUserIds().Count, $"created {users.Created}, unknown {users.Unknown}, Authing holds {AuthingUserIds().Count}");
            Assert.True(users.Unknown > 0 || users.Created > 0);
        }
    }
}
