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
        private protected UserField(UserFieldDefinition definition) { Definition = definition; Name = definition.Name; }

        /// <summary>Model property name (or a mapped field's source name).</summary>
        public string Name { get; }

        /// <summary>The field's registry entry: kind, headers, where each side keeps it.</summary>
        public UserFieldDefinition Definition { get; }

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

        public TextField(UserFieldDefinition d, TextKind kind) : base(d)
        {
            _get = d.GetText; _set = d.SetText; _kind = kind;
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

        public ValueField(UserFieldDefinition d, Func<User, T?> get) : base(d) { _get = get; }

        public override object Get(User user) => _get(user);
        public override void Set(User user, object value) => Definition.Set(user, value == null ? (T?)null : (T)value);
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
        public DepartmentsField(UserFieldDefinition d) : base(d) { }
        public override object Get(User user) => user.Departments;
        public override void Set(User user, object value) => Definition.Set(user, value);
        public override bool Same(User a, User b) => DepartmentList.Same(a.Departments, b.Departments);
        internal override bool HasValue(User user) => user.Departments != null;

        internal override bool Differs(User a, User b)
        {
            List<string> x = a.Departments, y = b.Departments;
            return x != null && y != null && !DepartmentList.Same(x, y) && BothProvide(a, b);
        }
        public override object Written(User user) => DepartmentList.Normalize(user.Departments);
    }

    /// <summary>
    /// A set of user fields by model property name, for the allocation-free "nothing changed" check: a speed-up for the
    /// built-in fields; a field without a flag (a mapped one, or a new entry of the registry) is compared one by one.
    /// </summary>
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
            foreach (var f in fields) set |= Flag(f);
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

        /// <summary>The mapped fields in these slots hold the same value (ordinally) or the same unknown on both users.</summary>
        internal static bool AllEqual(User a, User b, int[] slots)
        {
            for (int i = 0; i < slots.Length; i++)
                if (!string.Equals(a.ExtraAt(slots[i]), b.ExtraAt(slots[i]))) return false;
            return true;
        }

        private static bool Has(UserFieldSet set, UserFieldSet field) => (set & field) != 0;

        /// <summary>The fast-path flag of a built-in field; None for fields <see cref="AllEqual"/> does not cover (mapped ones).</summary>
        internal static UserFieldSet Flag(UserField f) =>
            f.Definition.IsBuiltIn && Enum.TryParse<UserFieldSet>(f.Name, out var flag) ? flag : UserFieldSet.None;

        private static bool SameInOrder(List<string> a, List<string> b)
        {
            if (ReferenceEquals(a, b)) return true;
            if (a == null || b == null || a.Count != b.Count) return false;
            for (int i = 0; i < a.Count; i++)
                if (!string.Equals(a[i], b[i])) return false;
            return true;
        }

        /// <summary>The built-in fields, from <see cref="UserFieldRegistry"/>, in plan order.</summary>
        public static readonly IReadOnlyList<UserField> All = UserFieldRegistry.BuiltIn.Select(For).ToArray();

        /// <summary>The comparison of one field of the registry, or of a mapped field.</summary>
        public static UserField For(UserFieldDefinition d)
        {
            switch (d.Kind)
            {
                case FieldKind.Text: return new TextField(d, TextKind.Plain);
                case FieldKind.Mobile: return new TextField(d, TextKind.Mobile);
                case FieldKind.Email: return new TextField(d, TextKind.Email);
                case FieldKind.Gender: return new ValueField<Gender>(d, u => u.Gender);
                case FieldKind.Enabled: return new ValueField<bool>(d, u => u.Enabled);
                case FieldKind.Departments: return new DepartmentsField(d);
                default: throw new ArgumentOutOfRangeException(nameof(d), d.Kind, "unknown field kind");
            }
        }

        /// <summary>The comparison of every custom field a user carries (<see cref="User.Extra"/>), as a mapped field.</summary>
        internal static IEnumerable<UserField> MappedIn(User user)
        {
            foreach (var e in user.Extra) yield return For(UserFieldDefinition.Mapped(e.Key));
        }

        /// <summary>Names -Property and -ExcludeProperty accept for users (UserId is the key and cannot be excluded).</summary>
        public static IEnumerable<string> Names => All.Select(f => f.Name);

        public static UserField Find(string name) => All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

        /// <summary>
        /// The built-in fields and the mapped ones (<see cref="CompareOptions.MappedFields"/>); a mapped name that is a
        /// built-in field or one of its export headers (职务 → Position) stands for that field.
        /// </summary>
        internal static List<UserField> Available(CompareOptions options)
        {
            var fields = new List<UserField>(All);
            if (options.MappedFields == null) return fields;
            foreach (var name in options.MappedFields)
            {
                if (string.IsNullOrWhiteSpace(name) || UserFieldRegistry.FindByHeader(name) != null || string.Equals(name, nameof(User.UserId), StringComparison.OrdinalIgnoreCase)) continue;
                if (fields.Any(f => string.Equals(f.Name, name, StringComparison.Ordinal))) continue;
                fields.Add(For(UserFieldDefinition.Mapped(name)));
            }
            return fields;
        }

        /// <summary>The fields to compare: -Property (or all) minus -ExcludeProperty. Unknown names fail with the valid list.</summary>
        public static UserField[] Select(CompareOptions options)
        {
            var available = Available(options);
            Validate(options.Property, "Property", available);
            Validate(options.ExcludeProperty, "ExcludeProperty", available);
            return available.Where(f => (options.Property == null || options.Property.Count == 0 || Contains(options.Property, f.Name))
                                        && !Contains(options.ExcludeProperty, f.Name)).ToArray();
        }

        internal static bool Contains(ICollection<string> names, string name) =>
            names != null && names.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase) || string.Equals(UserFieldRegistry.FindByHeader(n)?.Name, name, StringComparison.Ordinal));

        private static void Validate(ICollection<string> names, string parameter, List<UserField> available)
        {
            if (names == null) return;
            foreach (var n in names)
            {
                if (UserFieldRegistry.FindByHeader(n) == null && !available.Any(f => string.Equals(f.Name, n, StringComparison.OrdinalIgnoreCase)))
                    throw new ArgumentException($"-{parameter}: '{n}' is not a user field. Use one of: {string.Join(", ", available.Select(f => f.Name))}.", parameter);
            }
        }
    }
}
