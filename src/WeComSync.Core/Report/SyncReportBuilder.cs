using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using WeComSync.Apply;
using WeComSync.Comparison;
using WeComSync.Model;
using WeComSync.RunLog;

namespace WeComSync.Report
{
    /// <summary>
    /// Turns a plan (changes, with the results of applying them when there are any) or runs read from their log folders
    /// into a <see cref="SyncReport"/>. Every text passes the run log's sanitizer: secrets are always redacted, and
    /// personal data is masked the way the run log masks it when asked (values from a masked run log are left as written).
    /// </summary>
    public static class SyncReportBuilder
    {
        private const string Unknown = "—";

        /// <summary>A report of a plan. <paramref name="results"/> (optional) add outcomes to the changes they applied.</summary>
        public static SyncReport FromPlan(IEnumerable<Change> changes, IEnumerable<Result> results, ReportOptions options = null)
        {
            options = options ?? new ReportOptions();
            var sanitizer = new LogSanitizer(options.MaskPersonalData);
            var resultList = (results ?? Enumerable.Empty<Result>()).Where(r => r?.Change != null).ToList();
            var applied = new HashSet<Change>(resultList.Select(r => r.Change));
            var all = (changes ?? Enumerable.Empty<Change>()).Where(c => c != null && !applied.Contains(c))
                .Concat(resultList.Select(r => r.Change)).OrderBy(c => c.Sequence).ToList();
            var outcomes = resultList.ToDictionary(r => r.Change, r => r);

            var report = NewReport("plan", options, resultList.Count > 0 ? "Applied plan" : "Plan");
            report.HasOutcomes = resultList.Count > 0;
            report.Masking = options.MaskPersonalData ? "masked on request (-MaskPersonalData)" : "not masked";

            var plan = new ReportSection("Plan");
            // One line per plan: its changes share one context, but the same plan read back twice (two Import-Clixml) has two.
            // The summary counts the changes given (a plan piped through Where-Object is a part of it), and says so when
            // they are fewer than the plan had.
            var byPlan = all.Where(c => c.Plan != null).GroupBy(c => PlanIdentity(c.Plan)).OrderBy(g => g.Key.Kind).ToList();
            var contexts = byPlan.Select(g => g.First().Plan).ToList();
            foreach (var group in byPlan)
            {
                var context = group.First().Plan;
                var given = context.CountedOver(group);
                plan.Add($"{context.Kind}s", given.ToString());
                int inPlan = context.ChangeCount();
                if (given.ChangeCount() != inPlan || given.ToString() != context.ToString())
                    plan.Add($"{context.Kind}s given", $"{given.ChangeCount()} of the plan's {inPlan} changes; the whole plan: {context.ToString().Substring("Plan: ".Length).TrimEnd('.')}");
                plan.Add($"{context.Kind}s computed", context.ComputedAt == default ? null : Time(context.ComputedAt));
                plan.Add($"{context.Kind}s compared", $"{context.SourceCount} wanted (source) with {context.TargetCount} held (target)");
                if (context.DeleteRefusedReason != null) plan.Add($"{context.Kind} deletes refused", sanitizer.Text(context.DeleteRefusedReason));
            }
            if (contexts.Count == 0) plan.Add("Changes", all.Count == 0 ? "none: the sides already agree" : $"{all.Count} (hand-built: no plan context)");
            plan.Add("Computed from", ComputedFrom(all));
            report.Sections.Add(plan);

            report.Sections.Add(GuardSection(all, contexts, null));
            if (report.HasOutcomes) report.Sections.Add(OutcomeSection(resultList));
            report.Sections.Add(ReportSection(report, options));

            report.Tables.Add(OperationTable(all, outcomes));
            foreach (var change in all)
            {
                outcomes.TryGetValue(change, out var result);
                report.Rows.Add(Row(change, result, sanitizer));
            }
            report.Tree.AddRange(DepartmentBranches.Build(all, c => outcomes.TryGetValue(c, out var r) ? r.Outcome.ToString() : null, sanitizer));
            return report;
        }

        /// <summary>A report of one or more runs, read from their folders. Several runs make a history, oldest first in the chart.</summary>
        public static SyncReport FromRuns(IEnumerable<RunRecord> runs, ReportOptions options = null)
        {
            options = options ?? new ReportOptions();
            var list = (runs ?? Enumerable.Empty<RunRecord>()).Where(r => r != null).GroupBy(r => r.Path ?? r.RunId).Select(g => g.First())
                .OrderBy(r => r.StartTime).ThenBy(r => r.RunId, StringComparer.Ordinal).ToList();
            var report = NewReport("runs", options, list.Count == 1 ? $"Run {list[0].RunId}" : $"{list.Count} runs");
            report.HasOutcomes = true;
            bool anyMasked = list.Any(r => r.MaskPersonalData);
            report.Masking = anyMasked && list.All(r => r.MaskPersonalData) ? "masked: the run log was written with -MaskPersonalData"
                : options.MaskPersonalData ? "masked on request (-MaskPersonalData)" + (anyMasked ? "; some run logs were masked when written" : "")
                : anyMasked ? "partly: some run logs were written with -MaskPersonalData" : "not masked";

            // An undo names the run it undoes (RunRecord.Undoes); the report shows the link both ways where both are in it.
            var byId = list.Where(r => r.RunId != null).GroupBy(r => r.RunId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            string Named(string runId) => runId != null && byId.TryGetValue(runId, out var r) ? $"{r.Name} {r.ShortId ?? r.RunId} of {Time(r.StartTime)}" : runId;
            string Link(RunRecord run)
            {
                var parts = new List<string>();
                if (run.Undoes != null) parts.Add("undoes " + Named(run.Undoes));
                var undoneBy = list.Where(u => string.Equals(u.Undoes, run.RunId, StringComparison.Ordinal)).Select(u => $"{u.Name} {u.ShortId ?? u.RunId}").ToList();
                if (undoneBy.Count > 0) parts.Add("undone by " + string.Join(", ", undoneBy));
                return parts.Count == 0 ? null : string.Join("; ", parts);
            }

            if (list.Count == 1) RunSections(report, list[0]);
            else
            {
                var history = new ReportTable("Runs", "Start", "Run", "Status", "Duration", "Read", "Created", "Updated", "Suspended", "Deleted", "Failed", "Skipped", "Stale", "Already applied");
                foreach (var run in list.AsEnumerable().Reverse())
                    history.Rows.Add(new[] { Time(run.StartTime), $"{run.Name} ({run.ShortId ?? run.RunId})" + (Link(run) == null ? "" : $", {Link(run)}"), run.Status.ToString(), Duration(run.Duration),
                        N(run.Read), N(run.Created), N(run.Updated), N(run.Suspended), N(run.Deleted), N(run.Failed), N(run.Skipped), N(run.Stale), N(run.AlreadyApplied) });
                report.Tables.Add(history);
                var span = new ReportSection("Runs")
                    .Add("Runs", list.Count)
                    .Add("From", Time(list[0].StartTime))
                    .Add("To", Time(list[list.Count - 1].EndTime ?? list[list.Count - 1].StartTime))
                    .Add("Statuses", string.Join(", ", list.GroupBy(r => r.Status).Select(g => $"{g.Count()} {g.Key}")));
                foreach (var undo in list.Where(r => r.Undoes != null)) span.Add($"{undo.Name} {undo.ShortId ?? undo.RunId}", Link(undo));
                report.Sections.Add(span);
            }
            report.Sections.Add(ReportSection(report, options));

            List<Change> newestPlan = null;
            Dictionary<(ObjectKind, string), string> newestOutcomes = null;
            foreach (var run in list)
            {
                var sanitizer = new LogSanitizer(options.MaskPersonalData && !run.MaskPersonalData);
                int runIndex = report.RunNames.Count;
                string undoes = run.Undoes == null ? "" : " (undoes " + (byId.TryGetValue(run.Undoes, out var undone) ? undone.ShortId ?? undone.RunId : run.Undoes) + ")";
                report.RunNames.Add($"{run.StartTime.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture)} {run.Name} {run.ShortId}".TrimEnd() + undoes);
                report.History.Add(new HistoryPoint
                {
                    RunId = run.RunId, Name = run.Name, Start = run.StartTime, Status = run.Status.ToString(),
                    Created = run.Created, Updated = run.Updated, Suspended = run.Suspended, Deleted = run.Deleted, Failed = run.Failed, Stale = run.Stale,
                });

                // The plan gives a created object's values and a department's path; the results say what happened.
                var planned = RunLogReader.ReadPlans(run).SelectMany(p => p.Changes).ToList();
                var byKey = new Dictionary<(ObjectKind, string, ChangeOperation), Change>();
                foreach (var c in planned) byKey[(c.Kind, c.Key ?? "", c.Operation)] = c;
                var outcomes = new Dictionary<(ObjectKind, string), string>();
                int sequence = 0;
                foreach (var result in RunLogReader.ReadResults(run))
                {
                    sequence++;
                    Change change = null;
                    if (result.Kind.HasValue && result.Operation.HasValue) byKey.TryGetValue((result.Kind.Value, result.Key ?? "", result.Operation.Value), out change);
                    var row = new ReportRow
                    {
                        Sequence = sequence, Run = runIndex, Step = sanitizer.Text(result.Step), Operation = result.Operation?.ToString(),
                        Kind = result.Kind?.ToString(), Key = sanitizer.Field("key", result.Key), Name = sanitizer.Field("name", result.Name),
                        Outcome = result.Outcome.ToString(), ErrorCode = sanitizer.Text(result.ErrorCode), Error = sanitizer.Text(result.Error),
                        Reason = sanitizer.Text(result.Reason), DurationMs = Math.Round(result.Duration.TotalMilliseconds, 1),
                    };
                    if (result.Fields.Count > 0) AddFields(row, result.Fields, sanitizer);
                    else if (change != null) AddFields(row, ChangeFields(change), sanitizer);
                    report.Rows.Add(row);
                    if (result.Kind.HasValue && result.Key != null) outcomes[(result.Kind.Value, result.Key)] = result.Outcome.ToString();
                }
                newestPlan = planned;
                newestOutcomes = outcomes;
            }
            if (newestPlan != null)
            {
                var sanitizer = new LogSanitizer(options.MaskPersonalData && !list[list.Count - 1].MaskPersonalData);
                report.Tree.AddRange(DepartmentBranches.Build(newestPlan,
                    c => c.Key != null && newestOutcomes.TryGetValue((c.Kind, c.Key), out var o) ? o : null, sanitizer));
            }
            return report;
        }

        /// <summary>What tells one plan from another when every change carries its own copy of the context (Import-Clixml).</summary>
        private static (ObjectKind Kind, DateTimeOffset ComputedAt, int SourceCount, int TargetCount, int Create, int Update, int Move, int Delete, int Suspend, int Conflict, string Scope)
            PlanIdentity(PlanContext p) =>
            (p.Kind, p.ComputedAt, p.SourceCount, p.TargetCount, p.CreateCount, p.UpdateCount, p.MoveCount, p.DeleteCount, p.SuspendCount, p.ConflictCount, p.Scope);

        private static SyncReport NewReport(string kind, ReportOptions options, string title)
        {
            var now = (options.Clock ?? (() => DateTimeOffset.Now))();
            return new SyncReport { Kind = kind, Title = string.IsNullOrWhiteSpace(options.Title) ? $"WeComSync: {title}" : options.Title, GeneratedAt = now };
        }

        private static ReportSection ReportSection(SyncReport report, ReportOptions options) =>
            new ReportSection("This report")
                .Add("Written", Time(report.GeneratedAt))
                .Add("By", $"{Environment.UserName} on {Environment.MachineName}")
                .Add("Personal data", report.Masking);

        /// <summary>The undo runs logged beside <paramref name="run"/> that name it (Undo-WeComSyncRun), newest first; null when none.</summary>
        private static string UndoneBy(RunRecord run)
        {
            string folder = run.Path == null ? null : System.IO.Path.GetDirectoryName(run.Path);
            if (folder == null || !System.IO.Directory.Exists(folder)) return null;
            var undos = RunLogReader.GetRuns(folder).Where(r => r.Undoes == run.RunId).ToList();
            return undos.Count == 0 ? null : string.Join(", ", undos.Select(u => $"{u.RunId} ({u.Status}{(u.WhatIf ? ", dry run" : "")})"));
        }

        private static void RunSections(SyncReport report, RunRecord run)
        {
            var section = new ReportSection("Run")
                .Add("Run", run.RunId)
                .Add("Name", run.Name)
                .Add("Undoes", run.Undoes)
                .Add("Undone by", UndoneBy(run))
                .Add("Status", run.Status + (run.Message == null ? "" : ": " + run.Message))
                .Add("Exit code", run.ExitCode)
                .Add("Started", Time(run.StartTime))
                .Add("Ended", run.EndTime.HasValue ? Time(run.EndTime.Value) : "not recorded")
                .Add("Duration", Duration(run.Duration))
                .Add("Where", run.Host == null ? null : run.Host + (run.User == null ? "" : $" (as {run.User})"))
                .Add("Log folder", run.Path)
                .Add("Unreadable result lines", run.UnreadableLines > 0 ? run.UnreadableLines.ToString(CultureInfo.InvariantCulture) : null);
            report.Sections.Add(section);

            var scope = new ReportSection("Scope and parameters");
            foreach (var p in run.Parameters.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase)) scope.Add(p.Key, p.Value);
            if (scope.Lines.Count == 0) scope.Add("Parameters", "none recorded");
            report.Sections.Add(scope);

            var plans = RunLogReader.ReadPlans(run);
            var computed = new ReportSection("Computed from");
            foreach (var plan in plans)
            {
                if (plan.Context == null) { computed.Add(plan.Name, $"{plan.Changes.Count} change(s)"); continue; }
                computed.Add(plan.Name, plan.Context.ToString());
                computed.Add($"{plan.Name}: compared", $"{plan.Context.SourceCount} wanted with {plan.Context.TargetCount} held" +
                    (plan.Context.ComputedAt == default ? "" : ", at " + Time(plan.Context.ComputedAt)));
                if (plan.Context.DeleteRefusedReason != null) computed.Add($"{plan.Name}: deletes refused", plan.Context.DeleteRefusedReason);
            }
            computed.Add("Sources", ComputedFrom(plans.SelectMany(p => p.Changes)));
            if (computed.Lines.Count == 0) computed.Add("Plan", "the run wrote no plan");
            report.Sections.Add(computed);
            report.Sections.Add(GuardSection(plans.SelectMany(p => p.Changes).ToList(), plans.Select(p => p.Context).Where(c => c != null).ToList(), run.Parameters));

            var steps = new ReportTable("Steps", "Step", "Status", "Read", "Created", "Updated", "Suspended", "Deleted", "Failed", "Skipped", "Stale", "Already applied", "Duration", "Message");
            foreach (var step in run.Steps)
                steps.Rows.Add(new[] { step.Name, step.Status.ToString(), N(step.Read), N(step.Created), N(step.Updated), N(step.Suspended), N(step.Deleted), N(step.Failed), N(step.Skipped), N(step.Stale), N(step.AlreadyApplied), Duration(step.Duration), step.Message ?? "" });
            steps.Rows.Add(new[] { "Total", run.Status.ToString(), N(run.Read), N(run.Created), N(run.Updated), N(run.Suspended), N(run.Deleted), N(run.Failed), N(run.Skipped), N(run.Stale), N(run.AlreadyApplied), Duration(run.Duration), "" });
            report.Tables.Add(steps);
        }

        /// <summary>The delete guard's limits (the run's, else the defaults) and whether the planned deletes stay within them.</summary>
        private static ReportSection GuardSection(IReadOnlyCollection<Change> changes, IReadOnlyCollection<PlanContext> contexts, IDictionary<string, string> parameters)
        {
            var guard = new DeleteGuard();
            string Param(string name) => parameters != null && parameters.TryGetValue(name, out var v) ? v : null;
            if (int.TryParse(Param("MaxDelete"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var max)) guard.MaxDelete = max;
            if (double.TryParse(Param("MaxDeletePercent"), NumberStyles.Float, CultureInfo.InvariantCulture, out var percent)) guard.MaxDeletePercent = percent;
            guard.Force = string.Equals(Param("Force"), "True", StringComparison.OrdinalIgnoreCase);
            var section = new ReportSection("Delete guard")
                .Add("Limits", $"-MaxDelete {guard.MaxDelete}, -MaxDeletePercent {guard.MaxDeletePercent.ToString("0.#", CultureInfo.InvariantCulture)}" +
                    (parameters == null ? " (the defaults; Sync-* may be given others)" : "") + (guard.Force ? ", -Force" : ""));
            foreach (var kind in changes.Where(c => c.Operation == ChangeOperation.Delete).GroupBy(c => c.Kind))
            {
                int target = contexts.FirstOrDefault(c => c.Kind == kind.Key)?.TargetCount ?? 0;
                int count = kind.Count();
                string share = target > 0 ? $" ({(count * 100.0 / target).ToString("0.#", CultureInfo.InvariantCulture)}%)" : "";
                section.Add($"{kind.Key} deletes", guard.Check(count, target, kind.Key.ToString().ToLowerInvariant()) == null
                    ? $"{count} of {target}{share}: within the limits"
                    : $"{count} of {target}{share}: over the limits, so applying stops before any delete unless given higher limits or -Force");
            }
            if (section.Lines.Count == 1) section.Add("Deletes", "none planned");
            return section;
        }

        private static ReportSection OutcomeSection(IEnumerable<Result> results)
        {
            var section = new ReportSection("Outcome");
            foreach (var g in results.GroupBy(r => r.Outcome).OrderBy(g => g.Key)) section.Add(g.Key.ToString(), g.Count());
            return section;
        }

        private static ReportTable OperationTable(IReadOnlyCollection<Change> changes, IDictionary<Change, Result> outcomes)
        {
            var outcomeNames = outcomes.Values.Select(r => r.Outcome.ToString()).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
            var columns = new List<string> { "Operation", "Users", "Departments", "Total" };
            columns.AddRange(outcomeNames);
            var table = new ReportTable("Changes by operation", columns.ToArray());
            foreach (ChangeOperation op in Enum.GetValues(typeof(ChangeOperation)))
            {
                var ofOp = changes.Where(c => c.Operation == op).ToList();
                if (ofOp.Count == 0) continue;
                var row = new List<string> { op.ToString(), N(ofOp.Count(c => c.Kind == ObjectKind.User)), N(ofOp.Count(c => c.Kind == ObjectKind.Department)), N(ofOp.Count) };
                foreach (var name in outcomeNames) row.Add(N(ofOp.Count(c => outcomes.TryGetValue(c, out var r) && r.Outcome.ToString() == name)));
                table.Rows.Add(row.ToArray());
            }
            var total = new List<string> { "Total", N(changes.Count(c => c.Kind == ObjectKind.User)), N(changes.Count(c => c.Kind == ObjectKind.Department)), N(changes.Count) };
            foreach (var name in outcomeNames) total.Add(N(outcomes.Values.Count(r => r.Outcome.ToString() == name)));
            table.Rows.Add(total.ToArray());
            return table;
        }

        /// <summary>Which systems (and files) the wanted and held sides were read from.</summary>
        private static string ComputedFrom(IEnumerable<Change> changes)
        {
            var sources = new SortedSet<string>(StringComparer.Ordinal);
            var targets = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var c in changes)
            {
                if (c.Desired != null) sources.Add(Describe(c.Desired));
                if (c.Current != null) targets.Add(Describe(c.Current));
            }
            sources.Remove(null); targets.Remove(null);
            if (sources.Count == 0 && targets.Count == 0) return null;
            return $"wanted: {(sources.Count == 0 ? Unknown : string.Join(", ", sources))}; held: {(targets.Count == 0 ? Unknown : string.Join(", ", targets))}";
        }

        private static string Describe(DirectoryObject o)
        {
            if (o.Source == DirectorySource.WeComExport && o.Origin != null)
            {
                int comma = o.Origin.IndexOf(", sheet ", StringComparison.Ordinal);
                return "WeCom export " + (comma > 0 ? o.Origin.Substring(0, comma) : o.Origin);
            }
            return o.Source == DirectorySource.Unknown ? null : o.Source.ToString();
        }

        private static ReportRow Row(Change change, Result result, LogSanitizer sanitizer)
        {
            var row = new ReportRow
            {
                Sequence = change.Sequence, Operation = change.Operation.ToString(), Kind = change.Kind.ToString(),
                Key = sanitizer.Field("key", change.Key), Name = sanitizer.Field("name", DisplayName(change)),
                Reason = sanitizer.Text(change.Reason),
            };
            if (result != null)
            {
                row.Outcome = result.Outcome.ToString();
                row.ErrorCode = sanitizer.Text(result.ErrorCode);
                row.Error = sanitizer.Text(result.Error);
                row.DurationMs = Math.Round(result.Duration.TotalMilliseconds, 1);
            }
            else if (change.Operation == ChangeOperation.Conflict)
            {
                row.Outcome = null;
                row.Error = sanitizer.Text(ConflictText(change));
            }
            AddFields(row, ChangeFields(change), sanitizer);
            return row;
        }

        private static string ConflictText(Change change) =>
            change.Candidates == null || change.Candidates.Count == 0 ? null
                : "Candidates: " + string.Join("; ", change.Candidates.Where(c => c != null).Select(c => c.ToString()));

        private static string DisplayName(Change change)
        {
            switch (change.Desired ?? change.Current)
            {
                case User u: return u.Name;
                case Department d: return d.Path ?? d.Name;
                default: return null;
            }
        }

        /// <summary>The fields an update changes; for a create, the values it writes; for a delete, nothing.</summary>
        private static IEnumerable<FieldChange> ChangeFields(Change change)
        {
            if (change.Fields != null && change.Fields.Count > 0) return change.Fields;
            if (change.Operation != ChangeOperation.Create) return Enumerable.Empty<FieldChange>();
            switch (change.Desired)
            {
                case User u:
                    // What the create writes: a field known to be empty writes nothing, so it is not listed ("Alias: →").
                    return UserFields.All.Where(f => f.IsKnown(u)).Select(f => new FieldChange(f.Name, null, f.Get(u))).Where(f => !IsEmpty(f.New));
                case Department d:
                    return new[] { new FieldChange(nameof(Department.Name), null, d.Name), new FieldChange(nameof(Department.Path), null, d.Path) }.Where(f => f.New != null);
                default:
                    return Enumerable.Empty<FieldChange>();
            }
        }

        private static bool IsEmpty(object value) => value == null || (value is string s ? s.Length == 0 : value is IEnumerable e && !e.Cast<object>().Any());

        private static void AddFields(ReportRow row, IEnumerable<FieldChange> fields, LogSanitizer sanitizer)
        {
            bool create = row.Operation == nameof(ChangeOperation.Create);
            // A create lists the fields it sets; one from a run log's result with nothing to set is left out too.
            foreach (var f in fields.Where(f => f != null && !(create && IsEmpty(f.Old) && IsEmpty(f.New))))
                row.Fields.Add(new ReportField { Field = f.Field, Old = sanitizer.Field(f.Field, Format(f.Old)), New = sanitizer.Field(f.Field, Format(f.New)) });
        }

        /// <summary>A field value as text: lists joined, booleans and enums by name, numbers invariant; null stays null (unknown).</summary>
        internal static string Format(object value)
        {
            switch (value)
            {
                case null: return null;
                case string s: return s;
                case bool b: return b ? "true" : "false";
                case IEnumerable items: return string.Join(", ", items.Cast<object>().Select(Format));
                case IFormattable f: return f.ToString(null, CultureInfo.InvariantCulture);
                default: return value.ToString();
            }
        }

        internal static string Time(DateTimeOffset t) => t.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

        private static string Duration(TimeSpan? d) => d == null ? "" : d.Value.TotalHours >= 1 ? d.Value.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
            : d.Value.TotalSeconds >= 10 ? d.Value.ToString(@"m\:ss", CultureInfo.InvariantCulture) : d.Value.TotalSeconds.ToString("0.0 s", CultureInfo.InvariantCulture);

        private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);
    }
}
