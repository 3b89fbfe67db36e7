using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Model;

namespace WeComSync.Apply
{
    /// <summary>
    /// The order every department applier needs: creates, updates and moves one tree level at a time from the top
    /// (a child's parent exists before the child is written), then deletes one level at a time from the bottom
    /// (a department is empty of children before it goes). Within a level the plan's order holds.
    /// </summary>
    public static class DepartmentStages
    {
        public static IEnumerable<ApplyStage> ByLevel(IReadOnlyList<Change> approved,
            Func<Change, CancellationToken, Task<Result>> write, Func<Change, CancellationToken, Task<Result>> delete)
        {
            var writes = approved.Where(c => c.Operation == ChangeOperation.Create || c.Operation == ChangeOperation.Update || c.Operation == ChangeOperation.Move);
            foreach (var level in writes.GroupBy(Level).OrderBy(g => g.Key))
                yield return new ApplyStage($"departments, level {level.Key}", level.OrderBy(c => c.Sequence).Select(c => new ApplyStep(c, ct => write(c, ct))));
            var deletes = approved.Where(c => c.Operation == ChangeOperation.Delete);
            foreach (var level in deletes.GroupBy(Level).OrderByDescending(g => g.Key))
                yield return new ApplyStage($"department deletes, level {level.Key}", level.OrderBy(c => c.Sequence).Select(c => new ApplyStep(c, ct => delete(c, ct))));
        }

        /// <summary>Depth in the tree: counted from the path when there is one (it is what both sides agree on), else the object's Depth.</summary>
        public static int Level(Change change)
        {
            var d = (change.Desired ?? change.Current) as Department;
            if (d == null) return 0;
            return d.Path != null ? d.Path.Count(ch => ch == '/') : d.Depth;
        }
    }
}
