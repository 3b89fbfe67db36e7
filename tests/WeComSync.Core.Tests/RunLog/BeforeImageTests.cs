using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using WeComSync.Apply;
using WeComSync.Model;
using WeComSync.RunLog;
using Xunit;

namespace WeComSync.Core.Tests.RunLog
{
    /// <summary>before.jsonl: what undo needs of every change a run applied, kept apart from the (maskable) log.</summary>
    public sealed class BeforeImageTests : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "wecomsync-before-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            if (Directory.Exists(_root)) Directory.Delete(_root, true);
        }

        private static Change MobileUpdate() => new Change
        {
            Operation = ChangeOperation.Update, Kind = ObjectKind.User, Key = "zhangsan", Sequence = 3,
            Current = new User { UserId = "zhangsan", SourceId = "au-1", Name = "张三", Mobile = "+86 13700004321", Email = "zs@example.com", Position = "工程师", Departments = new List<string> { "公司/研发部" }, Enabled = true },
            Desired = new User { UserId = "zhangsan", Name = "张三", Mobile = "+86 13800001234" },
            Fields = { new FieldChange("Mobile", "+86 13700004321", "+86 13800001234") },
        };

        [Fact]
        public void A_masked_run_keeps_the_full_unmasked_before_image_apart_owner_only_while_its_results_stay_masked()
        {
            string folder;
            using (var run = RunLogWriter.Start(_root, "upstream", new RunLogOptions { MaskPersonalData = true }))
            {
                folder = run.Path;
                run.WriteUndoTarget("users", new UndoTarget { Service = "Authing", Kind = ObjectKind.User, OrganizationCode = "org1", RootLinkId = "公司" });
                var step = run.BeginStep("users");
                step.Record(new Result { Change = MobileUpdate(), Outcome = Outcome.Succeeded, NewId = "au-1" });
                step.Record(new Result
                {
                    Change = new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.User, Key = "lisi", Desired = new User { UserId = "lisi", Name = "李四", Mobile = "+86 13900009999" } },
                    Outcome = Outcome.Succeeded, NewId = "au-2",
                });
                step.Record(new Result { Change = new Change { Operation = ChangeOperation.Delete, Kind = ObjectKind.User, Key = "gone", Current = new User { UserId = "gone" } }, Outcome = Outcome.Failed, Error = "x" });
                run.Complete();
            }
            Assert.DoesNotContain("13700004321", File.ReadAllText(Path.Combine(folder, RunLogFiles.Results)));

            var set = BeforeImageSet.Read(RunLogReader.GetRuns(_root).Single());
            Assert.True(set.Exists);
            Assert.Equal(2, set.Changes.Count);   // the failed delete changed nothing: nothing to undo
            var update = set.Changes[0];
            Assert.Equal(("users", 3, ChangeOperation.Update), (update.Step, update.Sequence, update.Operation));
            var before = Assert.IsType<User>(update.Before);
            // The whole object, not only the field the run changed.
            Assert.Equal(("au-1", "+86 13700004321", "zs@example.com", "工程师", true), (before.SourceId, before.Mobile, before.Email, before.Position, before.Enabled));
            Assert.Equal(new[] { "公司/研发部" }, before.Departments);
            Assert.Equal("+86 13800001234", update.Fields.Single().New);
            Assert.Equal("au-2", set.Changes[1].NewId);   // the id the create produced
            var target = set.Targets["users"];
            Assert.Equal(("Authing", "org1", "公司"), (target.Service, target.OrganizationCode, target.RootLinkId));

            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
#if NET7_0_OR_GREATER
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, RunLogFiles.Before)));
#endif
            }
        }

        [Fact]
        public void A_create_that_failed_after_the_object_was_made_is_kept_for_undo()
        {
            using (var run = RunLogWriter.Start(_root, "upstream"))
            {
                run.BeginStep("users").Record(new Result
                {
                    Change = new Change { Operation = ChangeOperation.Create, Kind = ObjectKind.User, Key = "wangwu", Desired = new User { UserId = "wangwu" } },
                    Outcome = Outcome.Failed, NewId = "au-9", Error = "The user was created but its departments could not be set",
                });
                run.Complete();
            }
            Assert.Equal("au-9", BeforeImageSet.Read(RunLogReader.GetRuns(_root).Single()).Changes.Single().NewId);
        }
    }
}
