using System;
using System.Collections.Generic;

namespace WeComSync.Model
{
    /// <summary>
    /// What one read met but could not turn into objects, shared by every object of that read (one instance per file
    /// and kind, filled while the file streams, complete when the read ends).
    /// <para>
    /// <see cref="Keys"/>: keys of skipped records (a bad row, both rows of a duplicate 账号). They are present in the
    /// source, so a comparison never deletes their counterparts, and an object of the read that carries one of them (the
    /// first row of a duplicate, emitted before its twin was met) is reported as a conflict, never synced.
    /// </para>
    /// <para>
    /// <see cref="IncompleteReason"/>: set when a skipped record's key could not be read at all; the read then cannot
    /// show who is gone, and every object of it is incomplete (<see cref="DirectoryObject.IncompleteReason"/>): no deletes.
    /// </para>
    /// </summary>
    public sealed class SkippedRecords
    {
        /// <summary>Skipped key (compared without case) → where it was met ("file, sheet S, row 12").</summary>
        public IDictionary<string, string> Keys { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Why deletes cannot follow from the read (file, sheet, row and what to do); null when they can.</summary>
        public string IncompleteReason { get; set; }

        /// <summary>Adds a key, keeping where it was first met.</summary>
        public void Add(string key, string origin)
        {
            if (!string.IsNullOrEmpty(key) && !Keys.ContainsKey(key)) Keys[key] = origin;
        }

        public bool Contains(string key) => key != null && Keys.ContainsKey(key);

        /// <summary>Export-Csv and string conversion: how many keys were skipped and whether deletes are refused, not the type name.</summary>
        public override string ToString() => Keys.Count == 0 && IncompleteReason == null ? "" : $"{Keys.Count} skipped" + (IncompleteReason == null ? "" : "; deletes refused");
    }
}
