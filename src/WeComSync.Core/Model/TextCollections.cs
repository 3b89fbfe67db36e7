using System;
using System.Collections.Generic;
using System.Linq;
using WeComSync.Comparison;

namespace WeComSync.Model
{
    // The model's collections as text. Export-Csv, string conversion and -WhatIf messages call ToString on a property's
    // value; a plain List<string> answers "System.Collections.Generic.List`1[System.String]". The model's setters keep
    // a copy of whatever collection they are given in one of these (the same items, a text of their own), so every
    // reader and every saved plan gets them without knowing. Mind the copy: fill a collection before assigning it, or
    // add through the property afterwards (user.WithheldFields.Add), never through the local you assigned.

    /// <summary>Values (a member's departments …) that read as the export writes them: joined with '；'.</summary>
    public sealed class ValueList : List<string>
    {
        /// <summary>The console export's separator between several departments in one cell.</summary>
        public const string Separator = "；";

        public ValueList() { }
        public ValueList(IEnumerable<string> items) : base(items) { }

        public static List<string> Of(List<string> value) => value == null || value is ValueList ? value : new ValueList(value);

        public override string ToString() => string.Join(Separator, this);
    }

    /// <summary>Field names (case-insensitive) that read as "Mobile, Email".</summary>
    public sealed class FieldNameSet : HashSet<string>
    {
        public FieldNameSet() : base(StringComparer.OrdinalIgnoreCase) { }
        public FieldNameSet(IEnumerable<string> items) : base(items, StringComparer.OrdinalIgnoreCase) { }

        public static ISet<string> Of(ISet<string> value) => value == null || value is FieldNameSet ? value : new FieldNameSet(value);

        public override string ToString() => string.Join(", ", this);
    }

    /// <summary>
    /// A change's fields that read as the plan line does: "mobile +86 138… -> +86 139…, departments [a] -> [b]". A list a
    /// change holds knows that change, so a member's departments read as paths (after a downstream run the ids are WeCom's).
    /// </summary>
    public sealed class FieldChangeList : List<FieldChange>
    {
        public FieldChangeList() { }
        public FieldChangeList(IEnumerable<FieldChange> items) : base(items) { }

        /// <summary>The change holding this list: its Current and Desired name the departments.</summary>
        internal Change Owner { get; private set; }

        public static List<FieldChange> Of(List<FieldChange> value) => value == null || value is FieldChangeList ? value : new FieldChangeList(value);

        /// <summary>The list <paramref name="owner"/> keeps: this one if it is its own or nobody's yet, else a copy.</summary>
        internal static FieldChangeList Of(List<FieldChange> value, Change owner)
        {
            if (value == null) return null;
            var list = value is FieldChangeList own && (own.Owner == null || own.Owner == owner) ? own : new FieldChangeList(value);
            list.Owner = owner;
            return list;
        }

        public override string ToString() => Owner == null ? PlanText.Fields(this) : PlanText.Fields(Owner);
    }

    /// <summary>A conflict's candidates that read as "lisi (李四); lisi2 (李四)".</summary>
    public sealed class DirectoryObjectList : List<DirectoryObject>
    {
        public DirectoryObjectList() { }
        public DirectoryObjectList(IEnumerable<DirectoryObject> items) : base(items) { }

        public static List<DirectoryObject> Of(List<DirectoryObject> value) => value == null || value is DirectoryObjectList ? value : new DirectoryObjectList(value);

        public override string ToString() => string.Join("; ", this.Select(o => o?.ToString()));
    }
}
