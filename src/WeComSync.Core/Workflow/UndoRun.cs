using System;
using System.Collections.Generic;
using System.Linq;
using WeComSync.Apply;
using WeComSync.Authing;
using WeComSync.Model;
using WeComSync.RunLog;
using WeComSync.WeCom;

namespace WeComSync.Workflow
{
    /// <summary>
    /// What an undo (<c>Undo-WeComSyncRun</c>) is given: the run to undo, which part of it, and the connections it wrote
    /// through. <see cref="SyncRunOptions.UserIds"/>: only these users (case ignored), departments left as they are;
    /// <see cref="SyncRunOptions.ExcludeProperty"/>: fields not written back; <see cref="SyncRunOptions.DeleteAction"/>:
    /// what undoing a create does (Suspend keeps the user, switched off).
    /// </summary>
    public sealed class UndoOptions : SyncRunOptions
    {
        /// <summary>The run to undo, as the log holds it (<see cref="RunLogReader.FindRun"/>).</summary>
        public RunRecord Run { get; set; }

        /// <summary>Only the run's changes of these operations (Create, Update, Move, Suspend, Delete). Null: all.</summary>
        public IList<ChangeOperation> Operations { get; set; }

        /// <summary>Only the run's changes made in these steps ("users", "departments", "delete users" …). Null: all.</summary>
        public IList<string> Steps { get; set; }

        /// <summary>Apply an inverse change even where the object changed since the run (it is Stale otherwise); already undone ones are still not sent.</summary>
        public bool Force { get; set; }

        /// <summary>The Authing connection, for a run that wrote to Authing (upstream).</summary>
        public AuthingConnection Authing { get; set; }

        /// <summary>The WeCom connection, for a run that wrote to WeCom (downstream).</summary>
        public WeComConnection WeCom { get; set; }

        /// <summary>Where Authing keeps the user fields beyond the defaults (the forward run's); null: the connection's.</summary>
        public FieldMap FieldMap { get; set; }
    }

    /// <summary>
    /// Undoes a run from its log: the inverse of every change it applied (only what succeeded), built by
    /// <see cref="UndoPlanner"/> from the run's before-images, applied through the same appliers, guard, ShouldProcess
    /// and run log as a forward run, and logged as a run whose summary names the run it undoes (<see cref="RunRecord.Undoes"/>).
    /// Its steps, in the order that works: "restore departments" (renamed and moved back, deleted ones made again,
    /// parents first), "users" (every user change reversed), "remove departments" (the ones the run created, children
    /// first, once their users are gone). Each inverse is drift-checked: the object must still hold what the run wrote
    /// (else Stale, naming the field; -Force applies it anyway); one already back is AlreadyApplied, so undoing a run
    /// twice changes nothing the second time. The delete guard counts the deletes (and suspends) the undo would make.
    /// </summary>
    public sealed class UndoRun : SyncRun
    {
        private readonly UndoOptions _options;
        private readonly List<string> _summary = new List<string>();
        private BeforeImageSet _images;

        public UndoRun(UndoOptions options, IOutputWriter output) : base(output, options)
        {
            _options = options;
            if (options.Run == null) throw new ArgumentException("An undo needs the run to undo.", nameof(options));
        }

        public override string RunName => "undo";

        protected override string Undoes => _options.Run.RunId;

        protected override string Service => _options.WeCom != null && _options.Authing == null ? WeComErrors.Service : AuthingClient.ServiceName;

        protected override object Target => _options.Run;

        protected override bool CheckDrift => true;

        protected override bool OverrideStale => _options.Force;

        protected override string CompletionMessage
        {
            get
            {
                // A run undone before: say so, not "Undid run" over counts of 0 (the admin asks "did it do anything?").
                var results = Results;
                int already = results.Count(r => r.Outcome == Outcome.AlreadyApplied);
                string head = results.Count > 0 && already == results.Count
                    ? $"Nothing left to undo of run {_options.Run.RunId}: its {already} change(s) are undone already."
                    : $"Undid run {_options.Run.RunId}.";
                return _summary.Count == 0 ? head : head + " " + string.Join(" ", _summary);
            }
        }

        /// <summary>The inverse plan, step by step, without applying it (Undo-WeComSyncRun -PlanOnly): ordinary changes to show, save or apply.</summary>
        public static IReadOnlyList<(string Step, UndoTarget Target, List<Change> Changes)> Plan(UndoOptions options, IOutputWriter output)
        {
            try
            {
                var images = ReadImages(options.Run);
                var steps = Build(options, images, output, out var notes);
                foreach (var note in notes.Concat(steps.SelectMany(s => s.Notes))) output.WriteWarning(note);
                return steps.Select(s => (s.Name, s.Target, s.Changes)).ToList();
            }
            catch (RunFailure failure)
            {
                throw new SyncRunException(failure.Error, null, failure);   // nothing was run, so there is no summary
            }
        }

        protected override void Execute()
        {
            var run = _options.Run;
            var read = Log.BeginStep("read run log");
            var images = _images = ReadImages(run);
            var steps = Build(_options, images, Output, out var notes);
            int changes = steps.Sum(s => s.Changes.Count);
            read.Count(StepCounter.Read, images.Changes.Count);
            read.Complete(RunStatus.Succeeded, $"Run {run.RunId} ({run.Name}, {run.Status}): {images.Changes.Count} applied change(s); {changes} to undo." +
                (notes.Count > 0 ? " " + string.Join(" ", notes) : ""));
            foreach (var note in notes) Output.WriteWarning(note);

            foreach (var step in steps)
            {
                Cancellation.ThrowIfCancellationRequested();
                var target = step.Target;
                ApplyStep(step.Name, step.Changes, () => Applier(target), step.Notes);
            }
            SummariseRecreated();
        }

        /// <summary>The re-created users' new Authing ids (they cannot keep the old one), for the summary: "lisi → 64f…".</summary>
        private void SummariseRecreated()
        {
            var recreated = Results.Where(r => r.Outcome == Outcome.Succeeded && r.Change.Kind == ObjectKind.User && r.Change.Operation == ChangeOperation.Create && r.NewId != null
                && (r.Change.Reason ?? "").Contains(UndoPlanner.AuthingRecreateLoss)).ToList();
            if (recreated.Count == 0) return;
            _summary.Add($"Re-created in Authing with new user ids: {string.Join(", ", recreated.Select(r => $"{r.Change.Key} → {r.NewId}"))}; " +
                "their old ids, passwords, MFA, roles, sessions and login history do not come back.");
        }

        private static BeforeImageSet ReadImages(RunRecord run)
        {
            if (run.WhatIf)
                throw new RunFailure(new OutputError("UndoWhatIfRun", ProblemKind.InvalidData, run, $"Run {run.RunId} was a dry run (-WhatIf): it wrote nothing, so there is nothing to undo.",
                    "Give the id of a run that applied changes: Get-WeComSyncLog lists them."));
            if (run.Status == RunStatus.Running)
                throw new RunFailure(new OutputError("UndoRunStillRunning", ProblemKind.InvalidData, run, $"Run {run.RunId} is still running: undo it once it has ended.",
                    "Wait for the run to end (Get-WeComSyncLog shows its status), then undo it."));
            var images = BeforeImageSet.Read(run);
            if (!images.Exists)
            {
                throw new RunFailure(new OutputError("UndoNoBeforeImages", ProblemKind.NotFound, run,
                    $"Run {run.RunId} has no before-images ({RunLogFiles.Before}): it was logged before undo existed, or the file was removed, so what it changed cannot be restored. Nothing was written.",
                    "Restore the objects by hand from the run's results (Get-WeComSyncLog -Run " + run.ShortId + " and its results.jsonl), or from a backup."));
            }
            return images;
        }

        private sealed class UndoStep
        {
            public string Name;
            public UndoTarget Target;
            public List<Change> Changes;
            public List<string> Notes = new List<string>();
        }

        /// <summary>The inverse changes of the part of the run asked for, grouped into steps in the order that works.</summary>
        private static List<UndoStep> Build(UndoOptions options, BeforeImageSet images, IOutputWriter output, out List<string> notes)
        {
            var run = options.Run;
            notes = new List<string>();
            var users = options.UserIds == null ? null : new HashSet<string>(options.UserIds, StringComparer.OrdinalIgnoreCase);
            var chosen = images.Changes.Where(i =>
                (users == null || i.Kind == ObjectKind.User && users.Contains(i.Key ?? "")) &&
                (options.Operations == null || options.Operations.Contains(i.Operation)) &&
                (options.Steps == null || options.Steps.Contains(i.Step ?? "", StringComparer.OrdinalIgnoreCase))).ToList();

            int unknown = chosen.Count(i => i.Outcome == Outcome.Unknown);
            if (unknown > 0)
                notes.Add($"{unknown} change(s) of the run were sent when it was stopped, and whether they were applied is unknown: they are not undone. Check them (Get-WeComSyncLog -Run {run.ShortId}).");
            // Each object once, by its last applied change (a create and its link repair are one object).
            var applied = chosen.Where(i => i.Outcome != Outcome.Unknown).ToList();

            // The departments the run re-keyed (renamed or moved: upstream, a department's link is its path): a user it did
            // not write is read through the new link all the same, so that is what the drift check expects to find.
            var rekeyed = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var d in images.Changes.Where(i => i.Kind == ObjectKind.Department && (i.Operation == ChangeOperation.Update || i.Operation == ChangeOperation.Move)))
            {
                string from = (d.Before as Department)?.LinkId, to = (d.After as Department)?.LinkId ?? (d.After as Department)?.Key;
                if (from != null && to != null && from != to) rekeyed[from] = to;
            }

            var items = new List<(UndoItem Item, UndoTarget Target)>();
            foreach (var image in applied)
            {
                images.Targets.TryGetValue(image.Step ?? "", out var target);
                if (target == null)
                {
                    notes.Add($"{image.Kind.ToString().ToLowerInvariant()} {image.Key}: the run log does not say what step '{image.Step}' wrote to; not undone.");
                    continue;
                }
                var item = UndoPlanner.Inverse(image, target.Service, options.DeleteAction, run.RunId);
                if (item.Cannot != null)
                {
                    notes.Add($"{image.Kind.ToString().ToLowerInvariant()} {image.Key} ({image.Operation.ToString().ToLowerInvariant()}) cannot be undone: {item.Cannot}.");
                    continue;
                }
                if (options.ExcludeProperty != null && options.ExcludeProperty.Count > 0 && item.Change.Operation == ChangeOperation.Update)
                {
                    item.Change.Fields = item.Change.Fields.Where(f => !options.ExcludeProperty.Contains(f.Field, StringComparer.OrdinalIgnoreCase)).ToList();
                    if (item.Change.Fields.Count == 0) continue;   // nothing left to write back
                }
                if (rekeyed.Count > 0 && item.Change.Current is User left && left.Departments != null)
                    left.Departments = left.Departments.Select(l => rekeyed.TryGetValue(l, out var to) ? to : l).ToList();
                items.Add((item, target));
            }

            // The target's size after the run, for the delete guard's percentage: the forward plan's, plus what it created.
            var contexts = RunLogReader.ReadPlans(run).Where(p => p.Context != null).ToList();
            var steps = new List<UndoStep>();
            foreach (var group in items.GroupBy(x => (x.Item.Phase, x.Target.ToString())).OrderBy(g => g.Key.Phase))
            {
                var target = group.First().Target;
                var changes = group.Select(x => x.Item.Change).ToList();
                int targetCount = contexts.Where(c => c.Context.Kind == target.Kind).Select(c => c.Context.TargetCount).DefaultIfEmpty(0).Max()
                    + applied.Count(i => i.Kind == target.Kind && i.Operation == ChangeOperation.Create);
                var context = new PlanContext
                {
                    Kind = target.Kind, SourceCount = images.Changes.Count, TargetCount = targetCount, ComputedAt = DateTimeOffset.Now,
                    CreateCount = changes.Count(c => c.Operation == ChangeOperation.Create),
                    UpdateCount = changes.Count(c => c.Operation == ChangeOperation.Update),
                    MoveCount = changes.Count(c => c.Operation == ChangeOperation.Move),
                    DeleteCount = changes.Count(c => c.Operation == ChangeOperation.Delete),
                    SuspendCount = changes.Count(c => c.Operation == ChangeOperation.Suspend),
                    Target = Describe(options, target),
                };
                // Undo the last change first within a phase; the appliers' stages then order creates, updates and deletes.
                int sequence = 0;
                foreach (var change in changes.OrderByDescending(c => group.First(x => x.Item.Change == c).Item.Image.Sequence))
                {
                    change.Plan = context;
                    change.Sequence = ++sequence;
                }
                var step = new UndoStep
                {
                    Name = StepName(group.Key.Phase, target, items.Select(x => x.Target.ToString()).Distinct().Count() > 2),
                    Target = target,
                    Changes = changes.OrderBy(c => c.Sequence).ToList(),
                };
                var lost = group.Where(x => x.Item.NotRestored != null && x.Item.Change.Operation == ChangeOperation.Create && x.Item.Change.Kind == ObjectKind.User)
                    .Select(x => x.Item.Change.Key).ToList();
                if (lost.Count > 0)
                    step.Notes.Add($"{lost.Count} deleted user(s) are {(target.Service == AuthingClient.ServiceName ? UndoPlanner.AuthingRecreateLoss : UndoPlanner.WeComRecreateLoss)}: {string.Join(", ", lost.Take(10))}{(lost.Count > 10 ? " …" : "")}.");
                steps.Add(step);
            }
            return steps;
        }

        private static string StepName(UndoPhase phase, UndoTarget target, bool several)
        {
            string name = phase == UndoPhase.RestoreDepartments ? "restore departments" : phase == UndoPhase.Users ? "users"
                : phase == UndoPhase.RenameDepartments ? "rename departments back" : "remove departments";
            return several ? $"{name} ({target.Service})" : name;
        }

        private static DirectoryInstance Describe(UndoOptions options, UndoTarget target) =>
            target.Service == AuthingClient.ServiceName ? options.Authing?.Describe(target.OrganizationCode) : options.WeCom?.Describe();

        /// <summary>The applier the forward step wrote through, built again from what the log says of it.</summary>
        private IChangeApplier Applier(UndoTarget target)
        {
            if (target.Service == AuthingClient.ServiceName)
            {
                var authing = _options.Authing ?? throw new RunFailure(NotConnected("Authing", "Connect-Authing"));
                if (target.Kind == ObjectKind.Department) return new AuthingDepartmentApplier(authing.Client, target.OrganizationCode, target.RootLinkId);
                // The departments as they are now, and the old link of each one the run re-keyed (renamed, moved) as
                // another name for it: users are written back before their departments are renamed back.
                var map = Wait(ct => new AuthingDirectoryReader(authing.Client, Output).ReadDepartmentsAsync(target.OrganizationCode, target.RootLinkId, ct));
                foreach (var d in _images.Changes.Where(i => i.Kind == ObjectKind.Department && (i.Operation == ChangeOperation.Update || i.Operation == ChangeOperation.Move)))
                    if (d.Before is Department old && old.LinkId != null && old.SourceId != null) map.Alias(old.LinkId, old.SourceId);
                return new AuthingUserApplier(authing.Client, target.OrganizationCode, target.RootLinkId) { FieldMap = _options.FieldMap, Map = map };
            }
            var wecom = _options.WeCom ?? throw new RunFailure(NotConnected("WeCom", "Connect-WeCom"));
            // No link write-back: the Authing users keep the link they had before the run (a created member's is its userid).
            var apply = new WeComApplyOptions { Ids = wecom.DepartmentIds, FieldMap = _options.FieldMap };
            return target.Kind == ObjectKind.User ? new WeComUserApplier(wecom.Client, apply) : (IChangeApplier)new WeComDepartmentApplier(wecom.Client, apply);
        }

        private OutputError NotConnected(string service, string command) => new OutputError("Undo" + service + "NotConnected", ProblemKind.InvalidData, _options.Run,
            $"Run {_options.Run.RunId} wrote to {service}, and the undo has no {service} connection. Nothing was written.", $"Connect first ({command}), or give -{(service == "WeCom" ? "WeComConnection" : "Connection")}.");
    }
}
