using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using WeComSync.Model;
using WeComSync.Normalization;

namespace WeComSync.PowerShell.Conversion
{
    /// <summary>
    /// Turns what arrives on the pipeline into the model: a model object as is, a PSObject wrapping one, a deserialized
    /// one (Import-Clixml, remoting: "Deserialized.WeComSync.Model.*"), an Import-Csv row or a hashtable, by property
    /// names (model names, or the export's Chinese column names). A property that is absent is unknown (null); present
    /// but blank is known empty. Bad input throws <see cref="ArgumentException"/> with a message that says what is wrong.
    /// </summary>
    public static class ModelConverter
    {
        private const string Deserialized = "Deserialized.";

        // A user's property names: the model name, then the export's column headers (the registry's), e.g. Mobile, 手机.
        private static readonly string[] UserIdAliases = new[] { nameof(User.UserId), "userid" }.Concat(UserFieldRegistry.UserIdHeaders).ToArray();

        // Enabled only by its model name: the export's 禁用状态 words are the reader's to interpret (启用/禁用/正常 …).
        private static string[] Aliases(UserFieldDefinition f) =>
            f.Kind == FieldKind.Enabled ? new[] { f.Name } : new[] { f.Name }.Concat(f.Headers).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

        private static readonly (UserFieldDefinition Field, string[] Names)[] UserProperties =
            UserFieldRegistry.BuiltIn.Select(f => (f, Aliases(f))).ToArray();

        /// <summary>User or Department for objects that are (or look like) one; null when it cannot tell.</summary>
        public static ObjectKind? KindOf(object input)
        {
            var value = Unwrap(input, out var pso);
            if (value is User) return ObjectKind.User;
            if (value is Department) return ObjectKind.Department;
            if (pso != null)
            {
                foreach (var name in pso.TypeNames)
                {
                    if (name == Deserialized + typeof(User).FullName) return ObjectKind.User;
                    if (name == Deserialized + typeof(Department).FullName) return ObjectKind.Department;
                }
            }
            var bag = Bag.Of(input);
            if (bag == null) return null;
            if (bag.Has("UserId", "Username", "账号", "帐号")) return ObjectKind.User;
            if (bag.Has("Key", "ParentKey", "LinkId", "Path")) return ObjectKind.Department;
            return null;
        }

        public static DirectoryObject ToDirectoryObject(object input, ObjectKind kind) =>
            kind == ObjectKind.User ? (DirectoryObject)ToUser(input) : ToDepartment(input);

        public static User ToUser(object input)
        {
            if (Unwrap(input, out _) is User user) return user;
            var bag = Bag.Of(input) ?? throw new ArgumentException($"A {Describe(input)} is not a user: pass users from Import-WeComAddressBook, Get-AuthingUser or Get-WeComUser, or objects with a UserId property.");
            var u = new User
            {
                UserId = bag.Str(UserIdAliases),
                PreviousUserId = bag.Str("PreviousUserId"),
                Username = bag.Str("Username"),
                Status = ToEnum<UserStatus>(bag.Get("Status")),
                StatusText = bag.Str("StatusText"),
            };
            foreach (var (field, names) in UserProperties) field.Set(u, ToValue(field.Kind, bag.Get(names)));
            u.DepartmentPaths = ToList(bag.Get(nameof(User.DepartmentPaths)));
            var extra = ToDictionary(bag.Get("Extra"));
            if (extra != null) u.Extra = extra;
            Common(bag, u);
            return u;
        }

        public static Department ToDepartment(object input)
        {
            if (Unwrap(input, out _) is Department department) return department;
            var bag = Bag.Of(input) ?? throw new ArgumentException($"A {Describe(input)} is not a department: pass departments from Import-WeComAddressBook -Department, Get-AuthingDepartment or Get-WeComDepartment, or objects with Key/Path properties.");
            var d = new Department
            {
                Key = bag.Str("Key"),
                Name = bag.Str("Name"),
                ParentKey = bag.Str("ParentKey"),
                Order = ToLong(bag.Get("Order")),
                Path = bag.Str("Path"),
                LinkId = bag.Str("LinkId"),
                ParentLinkId = bag.Str("ParentLinkId"),
                IsRoot = ToBool(bag.Get("IsRoot")) ?? false,
                Depth = (int)(ToLong(bag.Get("Depth")) ?? 0),
            };
            // Blank parent cells in a CSV mean "top", not an empty key.
            if (d.ParentKey == "") d.ParentKey = null;
            if (d.Key == null && d.Path != null) d.Key = d.Path;
            if (d.Name == null && d.Path != null) d.Name = d.Path.Split('/').Last();
            Common(bag, d);
            return d;
        }

        /// <summary>What a plan was computed from, live or deserialized (every property: counts, scope, refusal, instances); null when absent.</summary>
        public static PlanContext ToPlanContext(object input) => Shared(input, bag =>
        {
            var context = Restore<PlanContext>(bag);
            if (context.Scope == "") context.Scope = null;
            if (context.DeleteRefusedReason == "") context.DeleteRefusedReason = null;
            return context;
        });

        /// <summary>Where a side was read from, live or deserialized; null when absent.</summary>
        public static DirectoryInstance ToInstance(object input) => Shared(input, Restore<DirectoryInstance>);

        // What the live objects share (a plan's context, a read's instance, a file's skipped records), Export-Clixml writes
        // once and refers to after: read back, each deserialized instance becomes one live object again, shared as before.
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> SharedCache =
            new System.Runtime.CompilerServices.ConditionalWeakTable<object, object>();

        private static T Shared<T>(object input, Func<Bag, T> read) where T : class
        {
            var raw = Unwrap(input, out var pso);
            if (raw == null) return null;
            if (raw is T live) return live;
            var bag = Bag.Of(raw);
            if (bag == null) return null;
            // GetValue: one reading per instance even when two runspaces convert the same saved plan at once.
            return SharedCache.GetValue((object)pso ?? raw, _ => read(bag)) as T ?? read(bag);
        }

        /// <summary>
        /// A plain record (PlanContext, DirectoryInstance) from a deserialized one, every settable property by its own name
        /// and type: a property added to the record later comes back from a saved plan without an edit here (a plan that
        /// lost its scope or suspend count would judge deletes and state its summary differently from the live one).
        /// </summary>
        private static T Restore<T>(Bag bag) where T : new()
        {
            var record = new T();
            foreach (var property in typeof(T).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
            {
                if (!property.CanWrite || property.GetIndexParameters().Length > 0) continue;
                var value = bag.Get(property.Name);
                var typed = value == null ? null : Scalar(property.PropertyType, value);
                if (typed != null) property.SetValue(record, typed); // absent or blank: the record's default
            }
            return record;
        }

        /// <summary>
        /// A DateTimeOffset, live or deserialized: CliXml has no primitive for it, so it comes back as a property bag
        /// (UtcTicks, Offset) or, beyond the serialization depth, as its text.
        /// </summary>
        private static object ToDateTimeOffset(object value)
        {
            var raw = Unwrap(value, out _);
            switch (raw)
            {
                case null: return null;
                case DateTimeOffset at: return at;
                case DateTime dt: return new DateTimeOffset(dt);
                case string s: return DateTimeOffset.TryParse(s, CultureInfo.CurrentCulture, DateTimeStyles.None, out var parsed) ? parsed : (object)null;
            }
            var bag = Bag.Of(raw);
            var ticks = ToLong(bag?.Get(nameof(DateTimeOffset.UtcTicks)));
            if (ticks == null) return null;
            var offset = Unwrap(bag.Get(nameof(DateTimeOffset.Offset)), out _) is TimeSpan o ? o : TimeSpan.Zero;
            return new DateTimeOffset(ticks.Value, TimeSpan.Zero).ToOffset(offset);
        }

        private static object Scalar(Type type, object value)
        {
            var t = Nullable.GetUnderlyingType(type) ?? type;
            if (t == typeof(string)) return Str(value);
            if (t == typeof(int)) return (int)(ToLong(value) ?? 0);
            if (t == typeof(long)) return ToLong(value) ?? 0;
            if (t == typeof(bool)) return ToBool(value) ?? false;
            if (t.IsEnum) return ToEnum(t, value);
            if (t == typeof(DateTimeOffset)) return ToDateTimeOffset(value);
            if (t == typeof(DirectoryInstance)) return ToInstance(value);
            throw new NotSupportedException($"A saved {type.Name} cannot be read back yet: teach ModelConverter.Scalar its type.");
        }

        // Changes rebuilt from a saved plan (Import-Clixml): such a plan is checked for drift before it is applied.
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Change, object> Restored = new System.Runtime.CompilerServices.ConditionalWeakTable<Change, object>();

        /// <summary>True for a change rebuilt from a saved plan rather than passed on live from Compare-Directory.</summary>
        public static bool IsRestored(Change change) => change != null && Restored.TryGetValue(change, out _);

        /// <summary>The one entry point for Sync-* cmdlets: a Change, a wrapped one, or a deserialized one from a saved plan.</summary>
        public static Change ToChange(object input)
        {
            if (Unwrap(input, out _) is Change change) return change;
            var bag = Bag.Of(input) ?? throw new ArgumentException($"A {Describe(input)} is not a plan change: pass the output of Compare-Directory, or a plan saved with Export-Clixml and read back with Import-Clixml.");
            var operation = ToEnum<ChangeOperation>(bag.Get("Operation")) ?? throw new ArgumentException($"The input is not a plan change: it has no Operation ({string.Join(", ", Enum.GetNames(typeof(ChangeOperation)))}). Pass the output of Compare-Directory.");
            var kind = ToEnum<ObjectKind>(bag.Get("Kind")) ?? throw new ArgumentException("The plan change has no Kind (User or Department); was it saved from Compare-Directory?");
            DirectoryObject Obj(object o) => o == null ? null : ToDirectoryObject(o, kind);
            var c = new Change
            {
                Operation = operation, Kind = kind, Key = bag.Str("Key"), Reason = bag.Str("Reason"), Description = bag.Str("Description"),
                Sequence = (int)(ToLong(bag.Get("Sequence")) ?? 0),
                Desired = Obj(bag.Get("Desired")), Current = Obj(bag.Get("Current")),
                Plan = ToPlanContext(bag.Get("Plan")),
            };
            var fields = bag.Get("Fields");
            if (fields != null)
            {
                c.Fields = Items(fields).Select(f =>
                {
                    var fb = Bag.Of(f) ?? throw new ArgumentException("A field change of the plan change has no Field/Old/New.");
                    var name = fb.Str("Field");
                    return new FieldChange(name, Typed(name, fb.Get("Old")), Typed(name, fb.Get("New")));
                }).ToList();
            }
            var candidates = bag.Get("Candidates");
            if (candidates != null) c.Candidates = Items(candidates).Select(Obj).ToList();
            Restored.Add(c, null);
            return c;
        }

        /// <summary>A Sync-* result, live or saved (Import-Clixml): its change and outcome.</summary>
        public static Result ToResult(object input)
        {
            if (Unwrap(input, out _) is Result result) return result;
            var bag = Bag.Of(input) ?? throw new ArgumentException($"A {Describe(input)} is not a sync result.");
            var outcome = ToEnum<Outcome>(bag.Get("Outcome")) ?? throw new ArgumentException("The input is not a sync result: it has no Outcome.");
            var change = bag.Get("Change") ?? throw new ArgumentException("The sync result has no Change.");
            return new Result
            {
                Change = ToChange(change), Outcome = outcome, NewId = bag.Str("NewId"), ErrorCode = bag.Str("ErrorCode"), Error = bag.Str("Error"),
                Duration = Unwrap(bag.Get("Duration"), out _) is TimeSpan d ? d : TimeSpan.Zero,
            };
        }

        /// <summary>A deserialized field value back in the model's type (enums and lists come back as numbers and ArrayLists).</summary>
        public static object Typed(string field, object value)
        {
            if (value == null) return null;
            var known = UserFieldRegistry.Find(field);
            if (known != null && !known.IsText) return ToValue(known.Kind, value);
            switch (field)
            {
                case nameof(User.Status): return ToEnum<UserStatus>(value);
                case nameof(Department.Order): return ToLong(value);
                default:
                    var raw = Unwrap(value, out _);
                    return raw is string || raw is ValueType ? raw : Str(raw);
            }
        }

        /// <summary>An input value in the model's type for a field of that kind.</summary>
        private static object ToValue(FieldKind kind, object value)
        {
            switch (kind)
            {
                case FieldKind.Gender: return ToGender(value);
                case FieldKind.Enabled: return ToBool(value);
                case FieldKind.Departments: return ToList(value);
                default: return Str(value);
            }
        }

        private static void Common(Bag bag, DirectoryObject o)
        {
            o.Source = ToEnum<DirectorySource>(bag.Get("Source")) ?? DirectorySource.Unknown;
            o.SourceId = bag.Str("SourceId");
            o.Origin = bag.Str("Origin");
            o.IncompleteReason = bag.Str("IncompleteReason");
            o.ReadFrom = ToInstance(bag.Get("ReadFrom"));
            if (o.IncompleteReason == "") o.IncompleteReason = null;
            var withheld = ToList(bag.Get("WithheldFields"));
            if (withheld != null) foreach (var w in withheld) o.WithheldFields.Add(w);
            o.Skipped = ToSkipped(bag.Get("Skipped"));
        }

        private static SkippedRecords ToSkipped(object value) => Shared(value, bag =>
        {
            var skipped = new SkippedRecords { IncompleteReason = bag.Str(nameof(SkippedRecords.IncompleteReason)) };
            if (skipped.IncompleteReason == "") skipped.IncompleteReason = null;
            if (Unwrap(bag.Get(nameof(SkippedRecords.Keys)), out _) is IDictionary keys)
                foreach (DictionaryEntry e in keys) skipped.Add(Str(e.Key), Str(e.Value));
            return skipped;
        });

        internal static object Unwrap(object value, out PSObject pso)
        {
            pso = value as PSObject;
            if (pso == null) return value;
            var inner = pso.BaseObject;
            return inner is PSCustomObject ? pso : inner;
        }

        private static string Describe(object input) => input == null ? "null" : (Unwrap(input, out var p) is PSObject pso ? pso.TypeNames.FirstOrDefault() ?? "object" : Unwrap(input, out _).GetType().Name);

        private static IEnumerable<object> Items(object value)
        {
            var raw = Unwrap(value, out _);
            if (raw is string || raw is IDictionary || raw is PSObject) return new[] { value };
            if (raw is IEnumerable e) return e.Cast<object>();
            return new[] { value };
        }

        internal static string Str(object value)
        {
            var raw = Unwrap(value, out _);
            switch (raw)
            {
                case null: return null;
                case string s: return s;
                case PSObject p: return p.ToString();
                case IFormattable f: return f.ToString(null, CultureInfo.InvariantCulture);
                default: return raw.ToString();
            }
        }

        internal static List<string> ToList(object value)
        {
            var raw = Unwrap(value, out _);
            if (raw == null) return null;
            if (raw is string s)
            {
                // A CSV cell: "公司/研发部;公司/市场部" (the export's separator), blank = known empty.
                return s.Split(new[] { ';', '；', '\n' }, StringSplitOptions.None).Select(Text.Clean).Where(x => x.Length > 0).ToList();
            }
            return Items(value).Select(Str).Where(x => x != null).ToList();
        }

        internal static Dictionary<string, string> ToDictionary(object value)
        {
            var raw = Unwrap(value, out _);
            if (raw is IDictionary d)
            {
                var result = new Dictionary<string, string>();
                foreach (DictionaryEntry e in d) result[Str(e.Key)] = Str(e.Value);
                return result;
            }
            if (raw is PSObject p)
            {
                var result = new Dictionary<string, string>();
                foreach (var prop in p.Properties) result[prop.Name] = Str(prop.Value);
                return result;
            }
            return null;
        }

        internal static bool? ToBool(object value)
        {
            var raw = Unwrap(value, out _);
            switch (raw)
            {
                case null: return null;
                case bool b: return b;
                case SwitchParameter sw: return sw.IsPresent;
                case int i: return i != 0;
                case long l: return l != 0;
            }
            var s = Text.Clean(Str(raw));
            if (string.IsNullOrEmpty(s)) return null;
            switch (s.ToLowerInvariant())
            {
                case "true": case "1": case "yes": case "y": case "启用": case "是": case "enabled": return true;
                case "false": case "0": case "no": case "n": case "禁用": case "否": case "disabled": return false;
            }
            throw new ArgumentException($"'{s}' is not a yes/no value (use True/False, 1/0, 启用/禁用).");
        }

        internal static long? ToLong(object value)
        {
            var raw = Unwrap(value, out _);
            if (raw == null) return null;
            if (raw is IConvertible c && !(raw is string)) return Convert.ToInt64(c, CultureInfo.InvariantCulture);
            var s = Text.Clean(Str(raw));
            if (string.IsNullOrEmpty(s)) return null;
            if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return n;
            throw new ArgumentException($"'{s}' is not a whole number.");
        }

        internal static Gender? ToGender(object value)
        {
            var raw = Unwrap(value, out _);
            if (raw == null) return null;
            if (raw is Gender g) return g;
            if (raw is int || raw is long) return (Gender)Convert.ToInt32(raw, CultureInfo.InvariantCulture);
            var s = Text.Clean(Str(raw));
            if (string.IsNullOrEmpty(s)) return null;
            switch (s.ToLowerInvariant())
            {
                case "男": case "m": case "male": case "1": return Gender.Male;
                case "女": case "f": case "female": case "2": return Gender.Female;
                case "u": case "unknown": case "0": case "未知": return Gender.Unknown;
            }
            throw new ArgumentException($"'{s}' is not a gender (use 男/女, Male/Female/Unknown, M/F/U or 1/2/0).");
        }

        internal static T? ToEnum<T>(object value) where T : struct => (T?)ToEnum(typeof(T), value);

        private static object ToEnum(Type type, object value)
        {
            var raw = Unwrap(value, out _);
            if (raw == null) return null;
            if (type.IsInstanceOfType(raw)) return raw;
            if (raw is int || raw is long || raw is byte || raw is short) return Enum.ToObject(type, Convert.ToInt64(raw, CultureInfo.InvariantCulture));
            var s = Text.Clean(Str(raw));
            if (string.IsNullOrEmpty(s)) return null;
            try { return Enum.Parse(type, s, true); }
            catch (ArgumentException) { }
            throw new ArgumentException($"'{s}' is not a {type.Name} (use one of: {string.Join(", ", Enum.GetNames(type))}).");
        }

        /// <summary>Property access over a PSObject (Import-Csv rows, deserialized objects) or a dictionary.</summary>
        private sealed class Bag
        {
            private readonly PSObject _pso;
            private readonly IDictionary _dictionary;

            private Bag(PSObject pso, IDictionary dictionary) { _pso = pso; _dictionary = dictionary; }

            public static Bag Of(object input)
            {
                var raw = Unwrap(input, out var pso);
                if (raw == null) return null;
                if (raw is IDictionary d) return new Bag(null, d);
                if (raw is PSObject p) return new Bag(p, null);
                if (raw is string || raw.GetType().IsPrimitive) return null;
                return new Bag(PSObject.AsPSObject(raw), null);
            }

            public bool Has(params string[] names) => names.Any(n => Find(n, out _));

            public object Get(params string[] names)
            {
                foreach (var n in names) if (Find(n, out var v)) return v;
                return null;
            }

            public string Str(params string[] names)
            {
                foreach (var n in names) if (Find(n, out var v)) return ModelConverter.Str(v);
                return null;
            }

            private bool Find(string name, out object value)
            {
                value = null;
                if (_dictionary != null)
                {
                    if (_dictionary.Contains(name)) { value = _dictionary[name]; return true; }
                    foreach (DictionaryEntry e in _dictionary)
                        if (string.Equals(Convert.ToString(e.Key, CultureInfo.InvariantCulture), name, StringComparison.OrdinalIgnoreCase)) { value = e.Value; return true; }
                    return false;
                }
                var prop = _pso.Properties[name];
                if (prop == null) return false;
                value = prop.Value;
                return true;
            }
        }
    }
}
