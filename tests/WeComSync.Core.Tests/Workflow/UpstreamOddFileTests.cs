using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using WeComSync.AddressBook;
using WeComSync.Authing;
using WeComSync.Emulator;
using WeComSync.Emulator.Control;
using WeComSync.ExportGenerator;
using WeComSync.Http;
using WeComSync.RunLog;
using WeComSync.Tests.AddressBook;
using WeComSync.Workflow;
using Xunit;

namespace WeComSync.Tests.Workflow
{
    /// <summary>
    /// Issue 20's hand-edited files end to end, against the emulator over HTTP on 127.0.0.1: Authing is seeded from the
    /// clean export (the real template's layout, generated), then the upstream run in DeleteOnly (and CreateUpdate) mode on
    /// the odd copy of the same members. Nobody in the file is deleted, no twin or junk department is made, and the run's
    /// status and exit code say what happened.
    /// </summary>
    public sealed class UpstreamOddFileTests : IAsyncLifetime, IDisposable
    {
        private const string Org = EmulatorDefaults.OrganizationCode;
        private const int Members = 30;
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
            await _connection.Client.SetCustomFieldsAsync(await AuthingLinkFields.MissingAsync(_connection.Client, default), default);
            // The clean export seeds Authing: 30 members, three of them with 账号 of padded digits (00010, 00020, 00030).
            var record = Run(Write("clean.xlsx", new GeneratorOptions()), UpstreamMode.CreateUpdate, new RecordingHost());
            Assert.Equal(ExitCodes.Success, record.ExitCode);
            Assert.Equal(Members, Users().Count);
        }

        public async Task DisposeAsync()
        {
            _connection.Dispose();
            await _server.DisposeAsync();
        }

        public void Dispose() => _files.Dispose();

        /// <summary>The generator's members (the same for every file of the seed), with the odd edits of <paramref name="options"/>.</summary>
        private string Write(string name, GeneratorOptions options, int hiddenSpill = 0)
        {
            options.Users = Members;
            options.Seed = 20;
            options.Company = "示例科技";
            options.PaddedIds = 3;
            options.MultiDepartmentRate = 0.3;
            var sheet = MemberGenerator.Generate(options);
            string path = _files.PathOf(name);
            if (hiddenSpill == 0) ExportWriter.Write(path, sheet);
            else
            {
                // The last rows moved onto a copy of the sheet, which the admin hid.
                var rows = sheet.Rows.ToList();
                var hidden = new ExportSheet { Name = "成员列表2", Header = sheet.Header, Hidden = true, Rows = rows.GetRange(rows.Count - hiddenSpill, hiddenSpill) };
                sheet.Rows = rows.GetRange(0, rows.Count - hiddenSpill);
                ExportWriter.Write(path, sheet, hidden);
            }
            return path;
        }

        private RunRecord Run(string file, UpstreamMode mode, RecordingHost host) =>
            new UpstreamRun(_connection, new UpstreamOptions { Path = file, Mode = mode, OrganizationCode = Org, MaxExportAge = TimeSpan.Zero }, host).Run();

        private List<string> Users() => _server.State.Dump().Authing.Users.Select(u => u.Username).OrderBy(u => u, StringComparer.Ordinal).ToList();

        private List<string> Departments() => _server.State.Dump().Authing.Departments.Where(d => d.OrganizationCode == Org)
            .Select(d => d.ParentDepartmentId + "/" + d.Name).OrderBy(d => d, StringComparer.Ordinal).ToList();

        [Fact]
        public void DeleteOnly_on_a_csv_that_lost_leading_zeros_deletes_nobody_and_ends_PartiallyFailed_naming_the_rows()
        {
            var before = Users();
            Assert.Contains("00010", before);
            var host = new RecordingHost();

            var record = Run(Write("zeros-lost.csv", new GeneratorOptions { ZerosLost = true }), UpstreamMode.DeleteOnly, host);

            Assert.Equal(before, Users());
            Assert.Equal(RunStatus.PartiallyFailed, record.Status);
            Assert.Equal(ExitCodes.PartiallyFailed, record.ExitCode);
            Assert.Equal(3, record.Steps.Single(s => s.Name == "check export").Skipped);
            var errors = host.Errors.Where(e => e.ErrorId == ProblemCodes.LeadingZerosLost).ToList();
            Assert.Equal(3, errors.Count);
            Assert.Contains("zeros-lost.csv, sheet zeros-lost, row ", errors[0].Message);
            Assert.Contains("账号 '10' looks like '00010' with its leading zeros lost", errors[0].Message);
        }

        [Fact]
        public void CreateUpdate_on_a_csv_that_lost_leading_zeros_creates_no_unpadded_twin()
        {
            var host = new RecordingHost();
            var record = Run(Write("zeros-lost-cu.csv", new GeneratorOptions { ZerosLost = true }), UpstreamMode.CreateUpdate, host);

            Assert.DoesNotContain("10", Users());
            Assert.Equal(Members, Users().Count);
            Assert.Equal(0, record.Created);
            Assert.Equal(ExitCodes.PartiallyFailed, record.ExitCode);
            Assert.Equal(3, host.Errors.Count(e => e.ErrorId == ProblemCodes.LeadingZerosLost));
        }

        [Theory]
        [InlineData("comma", "，")]
        [InlineData("ascii-comma", ",")]
        [InlineData("enumeration-comma", "、")]
        public void Departments_joined_with_a_comma_create_no_junk_department_and_delete_nobody(string name, string separator)
        {
            var departments = Departments();
            var users = Users();
            string file = Write($"joined-{name}.xlsx", new GeneratorOptions { WrongSeparator = separator });

            var host = new RecordingHost();
            var update = Run(file, UpstreamMode.CreateUpdate, host);
            Assert.Equal(departments, Departments());
            Assert.Equal(ExitCodes.PartiallyFailed, update.ExitCode);   // the bad rows
            Assert.NotEmpty(host.Errors);
            Assert.All(host.Errors, e => Assert.Equal(ProblemCodes.WrongDepartmentSeparator, e.ErrorId));

            var delete = Run(file, UpstreamMode.DeleteOnly, new RecordingHost());
            Assert.Equal(users, Users());
            Assert.Equal(ExitCodes.PartiallyFailed, delete.ExitCode);
        }

        [Fact]
        public void Fullwidth_slash_makes_no_twin_top_department_and_deletes_nobody()
        {
            var departments = Departments();
            var users = Users();
            string file = Write("fullwidth-slash.xlsx", new GeneratorOptions { FullWidthSlash = 3 });

            var host = new RecordingHost();
            var update = Run(file, UpstreamMode.CreateUpdate, host);
            Assert.Equal(departments, Departments());
            Assert.Equal(3, host.Errors.Count(e => e.ErrorId == ProblemCodes.WrongDepartmentSeparator && e.Message.Contains("'／'")));
            Assert.Equal(ExitCodes.PartiallyFailed, update.ExitCode);

            Run(file, UpstreamMode.DeleteOnly, new RecordingHost());
            Assert.Equal(users, Users());
        }

        [Fact]
        public void Two_top_departments_refuse_the_department_step_and_the_delete_only_run_writing_nothing()
        {
            var departments = Departments();
            var users = Users();
            string file = Write("two-tops.xlsx", new GeneratorOptions { OtherTop = 2 });

            var update = Assert.Throws<SyncRunException>(() => Run(file, UpstreamMode.CreateUpdate, new RecordingHost()));
            Assert.Equal("DepartmentsRefusedSeveralTops", update.Error.ErrorId);
            Assert.Contains("'示例科技（香港）'", update.Error.Message);
            Assert.Equal(RunStatus.Failed, update.Record.Steps.Single(s => s.Name == "departments").Status);
            Assert.DoesNotContain(update.Record.Steps, s => s.Name == "users");
            Assert.Equal(ExitCodes.Failed, update.Record.ExitCode);

            var delete = Assert.Throws<SyncRunException>(() => Run(file, UpstreamMode.DeleteOnly, new RecordingHost()));
            Assert.Equal("DeleteRefusedIncompleteRead", delete.Error.ErrorId);
            Assert.Contains("not one company's export", delete.Error.Message);
            Assert.Contains("示例科技（香港）", delete.Error.Message);
            Assert.Equal(departments, Departments());
            Assert.Equal(users, Users());
        }

        [Fact]
        public void Hidden_sheet_holding_members_refuses_the_delete_only_run()
        {
            var users = Users();
            var host = new RecordingHost();

            var e = Assert.Throws<SyncRunException>(() => Run(Write("hidden-sheet.xlsx", new GeneratorOptions(), hiddenSpill: 5), UpstreamMode.DeleteOnly, host));

            Assert.Equal("DeleteRefusedIncompleteRead", e.Error.ErrorId);
            Assert.Contains("sheet 成员列表2 is hidden", e.Error.Message);
            Assert.Contains("5 non-blank row(s)", e.Error.Message);
            Assert.Equal(ExitCodes.Failed, e.Record.ExitCode);
            Assert.Equal(users, Users());   // the five members on the hidden sheet are still there
        }
    }
}
