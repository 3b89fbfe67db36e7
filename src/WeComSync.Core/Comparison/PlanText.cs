using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using WeComSync.Model;

namespace WeComSync.Comparison
{
    /// <summary>
    /// The plan's lines, in the spirit of terraform plan: "+ create", "~ update", "> move", "- delete", "! conflict".
    /// Built in the core so tests check exactly what an administrator reads.
    /// </summary>
    public static class PlanText
    {
        private const int MaxValueLength = 40;

        /// <summary>The reason's ending for a suspended user found in the source again: the update reactivates it.</summary>
        public const string Rehired = "re-hired: reactivated";

        public static char Symbol(ChangeOperation op)
        {
            switch (op)
            {
                case ChangeOperation.Create: return '+';
                case ChangeOperation.Update: return '~';
                case ChangeOperation.Move: return '>';
                case ChangeOperation.Delete: return '-';
                case ChangeOperation.Suspend: return '=';
                default: return '!';
            }
        }

        /// <summary>
        /// The heading the console shows above a plan's changes, after "Plan: ": "users, computed 2026-03-01 02:00:00, 34 changes in all".
        /// A view is drawn as the changes stream past, its heading from the first one, so it cannot count the changes that
        /// follow (after Where-Object they are fewer than the plan's): it names the plan and its size, never counts per
        /// operation that would read as the table's. Export-WeComSyncReport, which sees them all, counts what it is given.
        /// </summary>
        public static string Heading(PlanContext plan)
        {
            if (plan == null) return "";
            var text = new StringBuilder();
            text.Append(plan.Kind == ObjectKind.User ? "users" : "departments");
            if (plan.ComputedAt != default) text.Append(", computed ").Append(plan.ComputedAt.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
            int count = plan.ChangeCount();
            text.Append(", ").Append(count).Append(count == 1 ? " change in all" : " changes in all");
            if (plan.Scope != null) text.Append(" (scope: ").Append(plan.Scope).Append(')');
            if (plan.DeleteRefusedReason != null) text.Append(" (deletes refused: a side was read incompletely)");
            return text.ToString();
        }

        /// <summary>
        /// One line for a change. <paramref name="parentName"/> names a department by its key on the side the key
        /// comes from (true = reference side), so moves read "old parent -> new parent" instead of ids.
        /// </summary>
        public static string Describe(Change change, Func<string, bool, string> parentName = null)
        {
            string kind = change.Kind == ObjectKind.User ? "user" : "department";
            var sb = new StringBuilder();
            sb.Append(Symbol(change.Operation)).Append(' ');
            switch (change.Operation)
            {
                case ChangeOperation.Create:
                    sb.Append("create ").Append(kind).Append(' ').Append(Name(change.Desired ?? change.Current, change.Key));
                    string where = Where(change.Desired, parentName);
                    if (!string.IsNullOrEmpty(where)) sb.Append(" in ").Append(where);
                    break;
                case ChangeOperation.Update when LinkChange.Only(change):
                    // "~ link user lisi (李四) to WeCom lisi": only the reference side's link is written; WeCom is not.
                    sb.Append("link ").Append(kind).Append(' ').Append(Name(change.Desired ?? change.Current, change.Key))
                      .Append(" to WeCom ").Append(Value(change.Fields[0].New));
                    break;
                case ChangeOperation.Update:
                    sb.Append("update ").Append(kind).Append(' ').Append(ShortName(change)).Append(": ").Append(Fields(change));
                    break;
                case ChangeOperation.Move:
                    {
                        sb.Append("move ").Append(kind).Append(' ').Append(ShortName(change)).Append(": ");
                        var current = change.Current as Department;
                        var desired = change.Desired as Department;
                        string from = current?.ParentKey == null ? "(top)" : parentName?.Invoke(current.ParentKey, false) ?? current.ParentKey;
                        string to = desired?.ParentKey == null ? "(top)" : parentName?.Invoke(desired.ParentKey, true) ?? desired.ParentKey;
                        sb.Append(from).Append(" -> ").Append(to);
                        var rest = change.Fields.Where(f => f.Field != nameof(Department.ParentKey) && f.Field != nameof(Department.ParentLinkId)).ToList();
                        if (rest.Count > 0) sb.Append("; ").Append(Fields(rest));
                        break;
                    }
                case ChangeOperation.Delete:
                    sb.Append("delete ").Append(kind).Append(' ').Append(Name(change.Current ?? change.Desired, change.Key));
                    break;
                case ChangeOperation.Suspend:
                    sb.Append("suspend ").Append(kind).Append(' ').Append(Name(change.Current ?? change.Desired, change.Key));
                    break;
                default:
                    sb.Append("conflict ").Append(kind).Append(' ').Append(change.Key ?? "(no key)").Append(": ").Append(change.Reason);
                    break;
            }
            if (change.Reason != null && change.Operation == ChangeOperation.Update && change.Reason.EndsWith(Rehired, StringComparison.Ordinal))
                sb.Append(" (").Append(Rehired).Append(')');
            if (change.Reason != null && change.Operation != ChangeOperation.Conflict && change.Reason.StartsWith("renamed", StringComparison.Ordinal))
                sb.Append(" (").Append(change.Reason).Append(')');
            return sb.ToString();
        }

        /// <summary>
        /// A change's fields as its plan line shows them (the Fields column of Export-Csv, -WhatIf): a member's departments
        /// by their paths where the readers attached them (<see cref="DepartmentNames"/>), the change itself keeping the ids.
        /// </summary>
        public static string Fields(Change change, Func<FieldChange, bool> include = null)
        {
            var names = DepartmentNames(change.Current as User, change.Desired as User);
            return Fields(change.Fields.Where(include ?? (f => true))
                                .Select(f => f.Field != nameof(User.Departments) ? f : new FieldChange(f.Field, Named(f.Old, names), Named(f.New, names))));
        }

        /// <summary>
        /// A -WhatIf/-Confirm action for a change that writes fields: "Update user: departments [研发部/一组] -> [市场部/一组]",
        /// or the bare <paramref name="action"/> when none of the fields it writes (<paramref name="include"/>) changed.
        /// </summary>
        public static string Action(string action, Change change, Func<FieldChange, bool> include = null)
        {
            bool any = change.Fields != null && change.Fields.Any(include ?? (f => true));
            return any ? action + ": " + Fields(change, include) : action;
        }

        /// <summary>"mobile +86 138… -> +86 139…, email (unset) -> a@b.c"</summary>
        public static string Fields(IEnumerable<FieldChange> fields) =>
            string.Join(", ", fields.Select(f => FieldLabel(f.Field) + " " + Value(f.Old) + " -> " + Value(f.New)));

        public static string Value(object value)
        {
            if (value == null) return "(unset)";
            if (value is string s) return s.Length == 0 ? "\"\"" : Shorten(s);
            if (value is bool b) return b ? "true" : "false";
            if (value is IEnumerable list) return "[" + Shorten(string.Join(", ", list.Cast<object>().Select(o => Convert.ToString(o, System.Globalization.CultureInfo.InvariantCulture)))) + "]";
            return Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
        }

        private static string FieldLabel(string field) => field == null ? "" : field.ToLowerInvariant();

        private static string Shorten(string s) => s.Length <= MaxValueLength ? s : s.Substring(0, MaxValueLength - 1) + "…";

        private static string ShortName(Change change)
        {
            if (change.Kind == ObjectKind.Department) return Name(change.Current ?? change.Desired, change.Key);
            return change.Key ?? (change.Current as User)?.Username;
        }

        private static string Name(DirectoryObject o, string key)
        {
            switch (o)
            {
                case User u:
                    string id = u.UserId ?? u.Username ?? key;
                    return string.IsNullOrEmpty(u.Name) || u.Name == id ? id : $"{id} ({u.Name})";
                case Department d:
                    return d.Name ?? LastSegment(d.Path) ?? key;
                default:
                    return key;
            }
        }

        private static string Where(DirectoryObject desired, Func<string, bool, string> parentName)
        {
            switch (desired)
            {
                case User u when u.Departments != null && u.Departments.Count > 0:
                    return BelowTop(DepartmentNames(u)(u.Departments[0]));
                case Department d when d.ParentKey != null:
                    return parentName?.Invoke(d.ParentKey, true) ?? LastSegment(d.ParentKey);
                default:
                    return null;
            }
        }

        /// <summary>
        /// A department path as a plan line or a table shows it: below the top department, the company every path
        /// shares ("星河科技/研发部/一组" reads "研发部/一组": a leaf alone is ambiguous). The top reads as it is.
        /// </summary>
        public static string BelowTop(string path)
        {
            int slash = path?.IndexOf('/') ?? -1;
            return slash < 0 || slash == path.Length - 1 ? path : path.Substring(slash + 1);
        }

        /// <summary>
        /// How a member's department link ids read in a plan. The export names departments by their paths, so with an
        /// export on either side the ids read as they are; otherwise (after a downstream run the ids are WeCom's) each
        /// reads as the path a reader attached (<see cref="User.DepartmentPaths"/>), WeCom's own before Authing's.
        /// </summary>
        private static Func<string, string> DepartmentNames(params User[] users)
        {
            if (users.Any(u => u?.Source == DirectorySource.WeComExport)) return id => id;
            var names = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var u in users.Where(u => u?.Departments != null && u.DepartmentPaths?.Count == u.Departments.Count)
                                   .OrderBy(u => u.Source == DirectorySource.WeComApi ? 0 : 1))
                for (int i = 0; i < u.Departments.Count; i++)
                    if (u.Departments[i] != null && !names.ContainsKey(u.Departments[i])) names[u.Departments[i]] = u.DepartmentPaths[i];
            return id => id != null && names.TryGetValue(id, out var path) ? path : id;
        }

        private static object Named(object value, Func<string, string> names) =>
            value is IEnumerable<string> ids && !(value is string) ? ids.Select(names).ToList() : value;

        internal static string LastSegment(string path)
        {
            if (string.IsNullOrEmpty(path)) return path;
            int slash = path.TrimEnd('/').LastIndexOf('/');
            return slash < 0 ? path : path.Substring(slash + 1).TrimEnd('/');
        }
    }
}
