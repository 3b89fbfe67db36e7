using System;
using System.Collections.Generic;
using System.Linq;

namespace WeComSync.Model
{
    /// <summary>How a field's values are read, compared and encoded: the kind decides the comparison and each side's codec.</summary>
    public enum FieldKind
    {
        /// <summary>Text, compared after trimming (the export's and the APIs' stray spaces).</summary>
        Text,
        /// <summary>A mobile number, compared in its canonical "+CC number" form.</summary>
        Mobile,
        /// <summary>An email address, compared without case.</summary>
        Email,
        Gender,
        /// <summary>Enabled (WeCom enable, Authing status Activated/Suspended).</summary>
        Enabled,
        /// <summary>The member's department link ids, main first.</summary>
        Departments,
    }

    /// <summary>
    /// One user field, described once: its name, its kind (how it compares), the export column headers that hold it
    /// (also the property names PowerShell input may use), and where each API keeps it by default. The export reader,
    /// the comparison, both API mappers and the PowerShell converter all work from these entries, so a new built-in
    /// field is one entry here (plus its tests); a field mapped with a FieldMap needs no code at all (<see cref="Mapped"/>).
    /// </summary>
    public sealed class UserFieldDefinition
    {
        private UserFieldDefinition(string name, FieldKind kind, string[] headers, string authing, string weCom, bool builtIn)
        {
            Name = name; Kind = kind; Headers = headers ?? Array.Empty<string>(); Authing = authing; WeCom = weCom; IsBuiltIn = builtIn;
        }

        /// <summary>Model property name, or for a mapped field its source name (an export column header such as 工号).</summary>
        public string Name { get; }

        public FieldKind Kind { get; }

        /// <summary>A property of <see cref="User"/>; false for a mapped field, whose value lives in <see cref="User.Extra"/>.</summary>
        public bool IsBuiltIn { get; }

        /// <summary>Export column headers that hold the field (the console's Chinese ones first, then English fallbacks).</summary>
        public IReadOnlyList<string> Headers { get; }

        /// <summary>Where Authing keeps it by default (API field name or customData.&lt;key&gt;); null: Authing has no place for it.</summary>
        public string Authing { get; }

        /// <summary>Where WeCom keeps it by default (member field name or extattr.&lt;name&gt;); null: WeCom has no place for it.</summary>
        public string WeCom { get; }

        /// <summary>A mapped field's <see cref="ExtraSlots"/> slot (its value's place in the user's custom values); -1 for a built-in field.</summary>
        internal int Slot { get; private set; } = -1;

        internal Func<User, string> GetText { get; private set; }
        internal Action<User, string> SetText { get; private set; }
        private Func<User, object> _get;
        private Action<User, object> _set;

        /// <summary>The field's value on a user; null is unknown.</summary>
        public object Get(User user) => _get(user);

        /// <summary>Sets the field's value (null: unknown; for a mapped field the key is removed).</summary>
        public void Set(User user, object value) => _set(user, value);

        /// <summary>A field with a text value (Text, Mobile, Email kinds).</summary>
        public bool IsText => Kind == FieldKind.Text || Kind == FieldKind.Mobile || Kind == FieldKind.Email;

        internal static UserFieldDefinition Text(string name, FieldKind kind, Func<User, string> get, Action<User, string> set, string[] headers, string authing, string weCom) =>
            new UserFieldDefinition(name, kind, headers, authing, weCom, true) { GetText = get, SetText = set, _get = get, _set = (u, v) => set(u, (string)v) };

        internal static UserFieldDefinition Value(string name, FieldKind kind, Func<User, object> get, Action<User, object> set, string[] headers, string authing, string weCom) =>
            new UserFieldDefinition(name, kind, headers, authing, weCom, true) { _get = get, _set = set };

        /// <summary>
        /// A field that is not a model property: its value is <c>user.Extra[name]</c>, compared as text. It reads and
        /// writes the name's <see cref="ExtraSlots"/> slot, so comparing it costs no lookup by name.
        /// </summary>
        public static UserFieldDefinition Mapped(string name)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A mapped field needs a name.", nameof(name));
            int slot = ExtraSlots.Of(name);
            Func<User, string> get = u => u.ExtraAt(slot);
            Action<User, string> set = (u, v) => u.SetExtra(slot, v);
            return new UserFieldDefinition(name, FieldKind.Text, new[] { name }, null, null, false)
            {
                Slot = slot, GetText = get, SetText = set, _get = get, _set = (u, v) => set(u, v == null ? null : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)),
            };
        }

        public override string ToString() => Name;
    }

    /// <summary>The built-in user fields, in plan order. UserId is the link key (matching handles it) and is not listed.</summary>
    public static class UserFieldRegistry
    {
        /// <summary>Headers of the userid column (账号): the key, not a compared field.</summary>
        public static readonly IReadOnlyList<string> UserIdHeaders = new[] { "账号", "帐号", "Account", "UserID", "User ID" };

        /// <summary>Headers of 激活状态, which the reader turns into Status (not a compared field).</summary>
        public static readonly IReadOnlyList<string> ActivationHeaders = new[] { "激活状态", "Status", "Activation Status" };

        public static readonly IReadOnlyList<UserFieldDefinition> BuiltIn = new[]
        {
            UserFieldDefinition.Text(nameof(User.Name), FieldKind.Text, u => u.Name, (u, v) => u.Name = v, new[] { "姓名", "Name" }, "name", "name"),
            UserFieldDefinition.Text(nameof(User.Alias), FieldKind.Text, u => u.Alias, (u, v) => u.Alias = v, new[] { "别名", "Alias" }, "nickname", "alias"),
            UserFieldDefinition.Text(nameof(User.Position), FieldKind.Text, u => u.Position, (u, v) => u.Position = v, new[] { "职务", "Position", "Title" }, null, "position"),
            UserFieldDefinition.Value(nameof(User.Gender), FieldKind.Gender, u => u.Gender, (u, v) => u.Gender = (Gender?)v, new[] { "性别", "Gender" }, "gender", "gender"),
            UserFieldDefinition.Text(nameof(User.Mobile), FieldKind.Mobile, u => u.Mobile, (u, v) => u.Mobile = v, new[] { "手机", "Mobile" }, "phone", "mobile"),
            UserFieldDefinition.Text(nameof(User.Telephone), FieldKind.Text, u => u.Telephone, (u, v) => u.Telephone = v, new[] { "座机", "Telephone" }, null, "telephone"),
            UserFieldDefinition.Text(nameof(User.Email), FieldKind.Email, u => u.Email, (u, v) => u.Email = v, new[] { "邮箱", "个人邮箱", "Email", "Personal Email" }, "email", "email"),
            UserFieldDefinition.Text(nameof(User.BizMail), FieldKind.Email, u => u.BizMail, (u, v) => u.BizMail = v, new[] { "企业邮箱", "Biz Mail", "BizMail", "Business Email" }, null, "biz_mail"),
            UserFieldDefinition.Text(nameof(User.Address), FieldKind.Text, u => u.Address, (u, v) => u.Address = v, new[] { "地址", "Address" }, "address", "address"),
            UserFieldDefinition.Value(nameof(User.Departments), FieldKind.Departments, u => u.Departments,
                (u, v) => u.Departments = v == null ? null : new List<string>((IEnumerable<string>)v), new[] { "部门", "Department" }, "departmentIds", "department"),
            UserFieldDefinition.Value(nameof(User.Enabled), FieldKind.Enabled, u => u.Enabled, (u, v) => u.Enabled = (bool?)v,
                new[] { "禁用状态", "Disable Status", "Disabled Status" }, "status", "enable"),
        };

        private static readonly Dictionary<string, UserFieldDefinition> ByName =
            BuiltIn.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);

        private static readonly Dictionary<string, UserFieldDefinition> ByHeader = BuildHeaders();

        private static Dictionary<string, UserFieldDefinition> BuildHeaders()
        {
            var map = new Dictionary<string, UserFieldDefinition>(StringComparer.OrdinalIgnoreCase);
            foreach (var f in BuiltIn)
                foreach (var h in f.Headers)
                    if (!map.ContainsKey(h)) map[h] = f;
            return map;
        }

        /// <summary>The built-in field of that model name (case ignored); null when there is none.</summary>
        public static UserFieldDefinition Find(string name) => name != null && ByName.TryGetValue(name, out var f) ? f : null;

        /// <summary>The built-in field an export header (or a model name) stands for; null for a custom column.</summary>
        public static UserFieldDefinition FindByHeader(string header) =>
            header == null ? null : ByName.TryGetValue(header, out var f) ? f : ByHeader.TryGetValue(header, out f) ? f : null;
    }
}
