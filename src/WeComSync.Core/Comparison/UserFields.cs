using System;
using System.Collections.Generic;
using System.Linq;
using WeComSync.Model;
using WeComSync.Normalization;

namespace WeComSync.Comparison
{
    /// <summary>
    /// One comparable user field: how to read it, whether a side knows it, when two values are the same to a human,
    /// and how to write it (used by creates with exclusions and by tests that apply plans).
    /// </summary>
    public abstract class UserField
    {
        protected UserField(string name) { Name = name; }

        /// <summary>Model property name.</summary>
        public string Name { get; }

        public abstract object Get(User user);
        public abstract void Set(User user, object value);

        /// <summary>Both values known: are they the same after normalisation?</summary>
        public abstract bool Same(User a, User b);

        /// <summary>The value to write: cleaned, in the canonical form where there is one (mobile numbers).</summary>
        public virtual object Written(User user) => Get(user);

        /// <summary>Known: set (null is unknown) and not a field this source never provides.</summary>
        public bool IsKnown(User user) => HasValue(user) && !IsWithheld(user, Name);

        /// <summary>Get(user) != null without boxing value fields.</summary>
        internal abstract bool HasValue(User user);

        /// <summary>
        /// IsKnown(a) &amp;&amp; IsKnown(b) &amp;&amp; !Same(a, b), the test every matched pair runs on every field: the cheap checks
        /// (same instance, ordinal equality, null) come first, so an unchanged field costs no allocation and no set lookup.
        /// </summary>
        internal abstract bool Differs(User a, User b);

        /// <summary>Neither side withholds the field: the last, rarest check of <see cref="Differs"/>.</summary>
        private protected bool BothProvide(User a, User b) => !IsWithheld(a, Name) && !IsWithheld(b, Name);

        internal static bool IsWithheld(DirectoryObject o, string field) => o.WithheldFields != null && o.WithheldFields.Count > 0 && o.WithheldFields.Contains(field);
    }

    internal enum TextKind { Plain, Mobile, Email }

    internal sealed class TextField : UserField
    {
        private readonly Func<User, string> _get;
        private readonly Action<User, string> _set;
        private readonly TextKind _kind;

        public TextField(string name, Func<User, string> get, Action<User, string> set, TextKind kind = TextKind.Plain) : base(name)
        {
            _get = get; _set = set; _kind = kind;
        }

        public override object Get(User user) => _get(user);
        public override void Set(User user, object value) => _set(user, (string)value);
        internal override bool HasValue(User user) => _get(user) != null;

        public override bool Same(User a, User b) => SameText(_get(a), _get(b));

        internal override bool Differs(User a, User b)
        {
            string x = _get(a), y = _get(b);
            if (x == null || y == null || string.Equals(x, y, StringComparison.Ordinal)) return false; // most pairs stop here
            return BothProvide(a, b) && !SameText(x, y);
        }

        private bool SameText(string x, string y)
        {
            if (string.Equals(x, y, StringComparison.Ordinal)) return true; // fast path: most pairs are identical
            switch (_kind)
            {
                case TextKind.Mobile: return string.Equals(MobileNumber.Normalize(x), MobileNumber.Normalize(y), StringComparison.Ordinal);
                case TextKind.Email: return EmailAddress.Same(x, y);
                default: return string.Equals(Text.Clean(x), Text.Clean(y), StringComparison.Ordinal);
            }
        }

        public override object Written(User user)
        {
            var value = _get(user);
            return _kind == TextKind.Mobile ? MobileNumber.Normalize(value) : Text.Clean(value);
        }
    }

    internal sealed class ValueField<T> : UserField where T : struct
    {
        private readonly Func<User, T?> _get;
        private readonly Action<User, T?> _set;

        public ValueField(string name, Func<User, T?> get, Action<User, T?> set) : base(name) { _get = get; _set = set; }

        public override object Get(User user) => _get(user);
        public override void Set(User user, object value) => _set(user, value == null ? (T?)null : (T)value);
        public override bool Same(User a, User b) => Nullable.Equals(_get(a), _get(b));
        internal override bool HasValue(User user) => _get(user).HasValue;

        internal override bool Differs(User a, User b)
        {
            T? x = _get(a), y = _get(b);
            return x.HasValue && y.HasValue && !EqualityComparer<T>.Default.Equals(x.GetValueOrDefault(), y.GetValueOrDefault()) && BothProvide(a, b);
        }
    }

    internal sealed class DepartmentsField : UserField
    {
        public DepartmentsField() : base(nameof(User.Departments)) { }
        public override object Get(User user) => user.Departments;
        public override void Set(User user, object value) => user.Departments = value == null ? null : new List<string>((IEnumerable<string>)value);
        public override bool Same(User a, User b) => DepartmentList.Same(a.Departments, b.Departments);
        internal override bool HasValue(User user) => user.Departments != null;

        internal override bool Differs(User a, User b)
        {
            List<string> x = a.Departments, y = b.Departments;
            return x != null && y != null && !DepartmentList.Same(x, y) && BothProvide(a, b);
        }
        public override object Written(User user) => DepartmentList.Normalize(user.Departments);
    }

    /// <summary>A set of user fields by model property name, for the allocation-free "nothing changed" check.</summary>
    [Flags]
    internal enum UserFieldSet
    {
        None = 0,
        Name = 1 << 0, Alias = 1 << 1, Position = 1 << 2, Gender = 1 << 3, Mobile = 1 << 4, Telephone = 1 << 5,
        Email = 1 << 6, BizMail = 1 << 7, Address = 1 << 8, Departments = 1 << 9, Enabled = 1 << 10,
    }

    /// <summary>The user fields a plan compares and writes. UserId is the link key and is handled by matching.</summary>
    public static class UserFields
    {
        internal static UserFieldSet SetOf(IEnumerable<UserField> fields)
        {
            var set = UserFieldSet.None;
            foreach (var f in fields) set |= (UserFieldSet)Enum.Parse(typeof(UserFieldSet), f.Name);
            return set;
        }

        /// <summary>
        /// Every field of <paramref name="set"/> holds the same value (ordinally) or the same unknown on both users: then
        /// no field can differ, whatever the normalisation. Most matched pairs are settled here with plain property reads
        /// and no call per field; false only means "compare field by field".
        /// </summary>
        internal static bool AllEqual(User a, User b, UserFieldSet set)
        {
            return (Has(set, UserFieldSet.Name) ? string.Equals(a.Name, b.Name) : true)
                && (Has(set, UserFieldSet.Alias) ? string.Equals(a.Alias, b.Alias) : true)
                && (Has(set, UserFieldSet.Position) ? string.Equals(a.Position, b.Position) : true)
                && (Has(set, UserFieldSet.Gender) ? a.Gender == b.Gender : true)
                && (Has(set, UserFieldSet.Mobile) ? string.Equals(a.Mobile, b.Mobile) : true)
                && (Has(set, UserFieldSet.Telephone) ? string.Equals(a.Telephone, b.Telephone) : true)
                && (Has(set, UserFieldSet.Email) ? string.Equals(a.Email, b.Email) : true)
                && (Has(set, UserFieldSet.BizMail) ? string.Equals(a.BizMail, b.BizMail) : true)
                && (Has(set, UserFieldSet.Address) ? string.Equals(a.Address, b.Address) : true)
                && (Has(set, UserFieldSet.Departments) ? SameInOrder(a.Departments, b.Departments) : true)
                && (Has(set, UserFieldSet.Enabled) ? a.Enabled == b.Enabled : true);
        }

        private static bool Has(UserFieldSet set, UserFieldSet field) => (set & field) != 0;

        private static bool SameInOrder(List<string> a, List<string> b)
        {
            if (ReferenceEquals(a, b)) return true;
            if (a == null || b == null || a.Count != b.Count) return false;
            for (int i = 0; i < a.Count; i++)
                if (!string.Equals(a[i], b[i])) return false;
            return true;
        }

        public static readonly IReadOnlyList<UserField> All = new UserField[]
        {
            new TextField(nameof(User.Name), u => u.Name, (u, v) => u.Name = v),
            new TextField(nameof(User.Alias), u => u.Alias, (u, v) => u.Alias = v),
            new TextField(nameof(User.Position), u => u.Position, (u, v) => u.Position = v),
            new ValueField<Gender>(nameof(User.Gender), u => u.Gender, (u, v) => u.Gender = v),
            new TextField(nameof(User.Mobile), u => u.Mobile, (u, v) => u.Mobile = v, TextKind.Mobile),
            new TextField(nameof(User.Telephone), u => u.Telephone, (u, v) => u.Telephone = v),
            new TextField(nameof(User.Email), u => u.Email, (u, v) => u.Email = v, TextKind.Email),
            new TextField(nameof(User.BizMail), u => u.BizMail, (u, v) => u.BizMail = v, TextKind.Email),
            new TextField(nameof(User.Address), u => u.Address, (u, v) => u.Address = v),
            new DepartmentsField(),
            new ValueField<bool>(nameof(User.Enabled), u => u.Enabled, (u, v) => u.Enabled = v),
        };

        /// <summary>Names -Property and -ExcludeProperty accept for users (UserId is the key and cannot be excluded).</summary>
        public static IEnumerable<string> Names => All.Select(f => f.Name);

        public static UserField Find(string name) => All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

        /// <summary>The fields to compare: -Property (or all) minus -ExcludeProperty. Unknown names fail with the valid list.</summary>
        public static UserField[] Select(CompareOptions options)
        {
            Validate(options.Property, "Property");
            Validate(options.ExcludeProperty, "ExcludeProperty");
            return All.Where(f => (options.Property == null || options.Property.Count == 0 || Contains(options.Property, f.Name))
                                  && !Contains(options.ExcludeProperty, f.Name)).ToArray();
        }

        internal static bool Contains(ICollection<string> names, string name) =>
            names != null && names.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));

        private static void Validate(ICollection<string> names, string parameter)
        {
            if (names == null) return;
            foreach (var n in names)
            {
                if (Find(n) == null)
                    throw new ArgumentException($"-{parameter}: '{n}' is not a user field. Use one of: {string.Join(", ", Names)}.", parameter);
            }
        }
    }
}
