using System;
using System.Collections.Generic;

namespace WeComSync.Report
{
    /// <summary>
    /// What a report shows, independent of how it is drawn: a plan (changes, perhaps with the results of applying them)
    /// or one or more runs read from their log folders. Every text in it is already redacted, and masked where asked.
    /// </summary>
    public sealed class SyncReport
    {
        /// <summary>"plan" or "runs".</summary>
        public string Kind { get; set; }

        public string Title { get; set; }
        public DateTimeOffset GeneratedAt { get; set; }

        /// <summary>Why personal data is (or is not) masked, for the summary: "masked on request", "the run log was masked" …</summary>
        public string Masking { get; set; }

        /// <summary>Label/value lines of the summary, in groups (the heading of each group is its key).</summary>
        public List<ReportSection> Sections { get; } = new List<ReportSection>();

        /// <summary>Count tables: per operation and kind for a plan, per step for a run, per run for a history.</summary>
        public List<ReportTable> Tables { get; } = new List<ReportTable>();

        /// <summary>Every change or result, in plan (or run, then apply) order.</summary>
        public List<ReportRow> Rows { get; } = new List<ReportRow>();

        /// <summary>Run names of the rows' <see cref="ReportRow.Run"/> indexes (runs reports only).</summary>
        public List<string> RunNames { get; } = new List<string>();

        /// <summary>The department tree: top-level branches.</summary>
        public List<BranchNode> Tree { get; } = new List<BranchNode>();

        /// <summary>One point per run, oldest first; a chart is drawn when there are two or more.</summary>
        public List<HistoryPoint> History { get; } = new List<HistoryPoint>();

        /// <summary>Whether rows carry outcomes (results) or are only planned.</summary>
        public bool HasOutcomes { get; set; }
    }

    public sealed class ReportSection
    {
        public ReportSection(string heading) { Heading = heading; }
        public string Heading { get; }
        public List<KeyValuePair<string, string>> Lines { get; } = new List<KeyValuePair<string, string>>();

        public ReportSection Add(string label, object value)
        {
            string text = value as string ?? (value == null ? null : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(text)) Lines.Add(new KeyValuePair<string, string>(label, text));
            return this;
        }
    }

    public sealed class ReportTable
    {
        public ReportTable(string heading, params string[] columns) { Heading = heading; Columns = columns; }
        public string Heading { get; }
        public string[] Columns { get; }
        public List<string[]> Rows { get; } = new List<string[]>();
    }

    /// <summary>One field of a change: what the target holds (Old) and what it will hold (New); null is unknown or none.</summary>
    public sealed class ReportField
    {
        public string Field { get; set; }
        public string Old { get; set; }
        public string New { get; set; }
    }

    /// <summary>A row of the changes table.</summary>
    public sealed class ReportRow
    {
        public int Sequence { get; set; }

        /// <summary>Index into <see cref="SyncReport.RunNames"/>; -1 for a plan.</summary>
        public int Run { get; set; } = -1;

        public string Step { get; set; }
        public string Operation { get; set; }
        public string Kind { get; set; }
        public string Key { get; set; }
        public string Name { get; set; }
        public List<ReportField> Fields { get; } = new List<ReportField>();

        /// <summary>Succeeded, Failed, Skipped … ; null while only planned.</summary>
        public string Outcome { get; set; }

        public string ErrorCode { get; set; }

        /// <summary>The API's message and what to do.</summary>
        public string Error { get; set; }

        public string Reason { get; set; }
        public double? DurationMs { get; set; }
    }

    /// <summary>What happens to one department: its own change and the user changes in it, with totals for its branch.</summary>
    public sealed class BranchNode
    {
        public string Name { get; set; }
        public string Path { get; set; }

        /// <summary>created, moved, renamed, updated, deleted, conflict; null when the department itself does not change.</summary>
        public string Action { get; set; }

        /// <summary>"from 公司/旧部门", "was 旧名" …</summary>
        public string Note { get; set; }

        /// <summary>The outcome of the department's own change, when applied (Failed, Skipped …).</summary>
        public string Outcome { get; set; }

        /// <summary>User changes in this department by operation ("Create" → 3).</summary>
        public SortedDictionary<string, int> Users { get; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

        /// <summary>Department actions in the branch below (not this node) by action.</summary>
        public SortedDictionary<string, int> Below { get; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

        /// <summary>User changes in the whole branch, this node included; a user in two of its departments counts once.</summary>
        public int UsersInBranch { get; set; }

        /// <summary>The department above; null at the top.</summary>
        [Newtonsoft.Json.JsonIgnore]
        public BranchNode Parent { get; set; }

        public List<BranchNode> Children { get; } = new List<BranchNode>();
    }

    /// <summary>One run's counts for the history chart.</summary>
    public sealed class HistoryPoint
    {
        public string RunId { get; set; }
        public string Name { get; set; }
        public DateTimeOffset Start { get; set; }
        public string Status { get; set; }
        public int Created { get; set; }
        public int Updated { get; set; }
        public int Suspended { get; set; }
        public int Deleted { get; set; }
        public int Failed { get; set; }
        public int Stale { get; set; }
    }

    /// <summary>How a report is made.</summary>
    public sealed class ReportOptions
    {
        /// <summary>Mask mobile numbers and email addresses (values from a run log already masked stay as they are).</summary>
        public bool MaskPersonalData { get; set; }

        public string Title { get; set; }

        /// <summary>The clock; tests replace it.</summary>
        public Func<DateTimeOffset> Clock { get; set; }
    }
}
