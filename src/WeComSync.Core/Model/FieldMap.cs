using System;
using System.Collections.Generic;
using System.Linq;

namespace WeComSync.Model
{
    /// <summary>The API a field map's targets belong to.</summary>
    public enum FieldSide
    {
        Authing,
        WeCom,
    }

    /// <summary>
    /// Where one API keeps the user fields: source field → target. A source is a built-in field (by model name or any
    /// of its export headers: 职务 is Position) or any other name, which becomes a mapped field compared as text (an
    /// export column such as 工号). A target is the API's own field name (Authing: externalId, nickname, company …;
    /// WeCom: alias, position, external_position …), <c>customData.&lt;key&gt;</c> (Authing) or <c>extattr.&lt;name&gt;</c>
    /// (WeCom), or empty: the API does not keep that field (it is then unknown on that side, never written).
    /// Built-in fields not in the map keep the registry's default target.
    /// </summary>
    public sealed class FieldMap
    {
        public const string CustomDataPrefix = "customData.";
        public const string ExtattrPrefix = "extattr.";

        // Text fields of the Authing user (UpdateUserReqDto / UserDto names); phone, gender and status only for their own kinds.
        private static readonly string[] AuthingText =
        {
            "name", "nickname", "externalId", "company", "address", "email", "photo", "birthdate", "country", "province", "city",
            "streetAddress", "postalCode", "givenName", "familyName", "middleName", "preferredUsername", "profile", "website",
            "zoneinfo", "locale", "formatted", "region",
        };

        // Text fields of a WeCom member (user/create, user/update); mobile, gender and enable only for their own kinds.
        private static readonly string[] WeComText = { "name", "alias", "position", "telephone", "address", "email", "biz_mail", "external_position" };

        private static readonly Dictionary<FieldKind, string>[] Special =
        {
            new Dictionary<FieldKind, string> { [FieldKind.Mobile] = "phone", [FieldKind.Gender] = "gender", [FieldKind.Enabled] = "status" },
            new Dictionary<FieldKind, string> { [FieldKind.Mobile] = "mobile", [FieldKind.Gender] = "gender", [FieldKind.Enabled] = "enable" },
        };

        private readonly Dictionary<string, string> _entries;

        private FieldMap(FieldSide side, Dictionary<string, string> entries) { Side = side; _entries = entries; }

        public static FieldMap Empty(FieldSide side) => new FieldMap(side, new Dictionary<string, string>(StringComparer.Ordinal));

        public FieldSide Side { get; }

        /// <summary>Source → target as given (sources in canonical form: built-in fields by model name); "" = not kept.</summary>
        public IReadOnlyDictionary<string, string> Entries => _entries;

        /// <summary>The sources that are not built-in fields: compared as text in <see cref="User.Extra"/>.</summary>
        public IEnumerable<string> MappedFields => _entries.Keys.Where(k => UserFieldRegistry.Find(k) == null);

        /// <summary>
        /// Checks and builds a map. Throws <see cref="ArgumentException"/> naming the entry and what to write instead:
        /// an unknown target, a target of the wrong kind, a field that cannot be remapped, two sources on one target.
        /// </summary>
        public static FieldMap Create(IEnumerable<KeyValuePair<string, string>> entries, FieldSide side)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var e in entries ?? Enumerable.Empty<KeyValuePair<string, string>>())
            {
                string source = (e.Key ?? "").Trim();
                if (source.Length == 0) throw new ArgumentException("-FieldMap: a source field is empty. Write a model field (Position) or an export column (工号).");
                var builtIn = UserFieldRegistry.FindByHeader(source);
                if (builtIn == null && UserFieldRegistry.UserIdHeaders.Concat(new[] { nameof(User.UserId), nameof(User.Username) }).Any(h => string.Equals(h, source, StringComparison.OrdinalIgnoreCase)))
                    throw new ArgumentException($"-FieldMap: '{source}' is the link key; its place is the link field (Connect-Authing -LinkFieldName), not a field map.");
                string name = builtIn?.Name ?? source;
                string target = Canonical(name, builtIn, (e.Value ?? "").Trim(), side);
                if (map.ContainsKey(name)) throw new ArgumentException($"-FieldMap: '{name}' is mapped twice{(builtIn != null && name != source ? $" ('{source}' is {name})" : "")}.");
                map[name] = target;
            }
            var taken = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (field, target) in Effective(map, side))
            {
                if (target == null || field.Kind == FieldKind.Departments) continue;
                if (taken.TryGetValue(target, out var other))
                    throw new ArgumentException($"-FieldMap: '{field.Name}' and '{other}' would both be written to {side} '{target}'. Map one of them elsewhere (or to '' to keep it off {side}).");
                taken[target] = field.Name;
            }
            return new FieldMap(side, map);
        }

        private static string Canonical(string name, UserFieldDefinition builtIn, string target, FieldSide side)
        {
            if (target.Length == 0)
            {
                if (builtIn != null && (builtIn.Kind == FieldKind.Departments || builtIn.Name == nameof(User.Name)))
                    throw new ArgumentException($"-FieldMap: {builtIn.Name} cannot be left out; it is needed to create a user.");
                return "";
            }
            string prefix = side == FieldSide.Authing ? CustomDataPrefix : ExtattrPrefix;
            if (builtIn != null && !builtIn.IsText)
            {
                throw new ArgumentException($"-FieldMap: {builtIn.Name} cannot be remapped ('{target}'); it keeps {side}'s " +
                    $"'{(side == FieldSide.Authing ? builtIn.Authing : builtIn.WeCom)}' (map it to '' to keep it off {side}).");
            }
            if (target.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                string key = target.Substring(prefix.Length).Trim();
                if (key.Length == 0) throw new ArgumentException($"-FieldMap: '{name}' = '{target}' names no key; write {prefix}<key>.");
                return prefix + key;
            }
            var kind = builtIn?.Kind ?? FieldKind.Text;
            if (Special[(int)side].TryGetValue(kind, out var special) && string.Equals(target, special, StringComparison.OrdinalIgnoreCase)) return special;
            var text = (side == FieldSide.Authing ? AuthingText : WeComText).FirstOrDefault(t => string.Equals(t, target, StringComparison.OrdinalIgnoreCase));
            if (text != null) return text;
            throw new ArgumentException($"-FieldMap: '{target}' (for '{name}') is not a {side} user field that holds text. Use {prefix}<key> or one of: " +
                string.Join(", ", side == FieldSide.Authing ? AuthingText : WeComText) + ".");
        }

        /// <summary>Where this side keeps a field: the map's target, else the registry's default; null when it keeps none.</summary>
        public string TargetOf(UserFieldDefinition field)
        {
            if (_entries.TryGetValue(field.Name, out var target)) return target.Length == 0 ? null : target;
            if (!field.IsBuiltIn) return null;
            return Side == FieldSide.Authing ? field.Authing : field.WeCom;
        }

        /// <summary>Every built-in field with this side's target (null: not kept), then every mapped field with its target.</summary>
        public IReadOnlyList<(UserFieldDefinition Field, string Target)> Effective() => Effective(_entries, Side).ToList();

        private static IEnumerable<(UserFieldDefinition Field, string Target)> Effective(Dictionary<string, string> entries, FieldSide side)
        {
            foreach (var f in UserFieldRegistry.BuiltIn)
            {
                string target = entries.TryGetValue(f.Name, out var t) ? t : side == FieldSide.Authing ? f.Authing : f.WeCom;
                yield return (f, string.IsNullOrEmpty(target) ? null : target);
            }
            foreach (var e in entries)
                if (UserFieldRegistry.Find(e.Key) == null) yield return (UserFieldDefinition.Mapped(e.Key), e.Value.Length == 0 ? null : e.Value);
        }

        /// <summary>
        /// Throws <see cref="ArgumentException"/>, before anything is written, when <paramref name="changes"/> write a mapped
        /// field (not a built-in one: 工号) this map neither places nor leaves out on purpose: the plan was computed with
        /// another map, e.g. saved and applied in a session connected without it. Applied as it stands, those values would
        /// be dropped without a word. Only fields the target held a value for (Old known) count: the target kept them when
        /// the plan was computed; a create, or an overwrite of a field the target never held, lists every field the source knows.
        /// <paramref name="excluded"/>: fields the run never writes anyway.
        /// </summary>
        public void CheckPlaces(IEnumerable<Change> changes, ICollection<string> excluded = null)
        {
            var unplaced = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var c in changes ?? Enumerable.Empty<Change>())
            {
                if (c?.Fields == null || c.Kind != ObjectKind.User || c.Operation.Removes()) continue;
                foreach (var f in c.Fields)
                {
                    string name = f?.Old == null ? null : f.Field;
                    if (name == null || UserFieldRegistry.Find(name) != null || _entries.ContainsKey(name) || (excluded?.Contains(name) ?? false)) continue;
                    if (name == nameof(User.UserId) || name == Comparison.LinkChange.Field) continue; // the link, not a field of the map
                    unplaced.Add(name);
                }
            }
            if (unplaced.Count == 0) return;
            throw new ArgumentException($"The plan writes {string.Join(", ", unplaced)}, which this run's {Side} field map gives no place: the plan was " +
                $"computed with another map. Nothing was applied. Apply it with the map it was computed with (Connect-{Side} -FieldMap, or -FieldMap on Sync-{Side}User).");
        }

        /// <summary>This map with <paramref name="over"/>'s entries on top (a cmdlet's -FieldMap over its connection's).</summary>
        public FieldMap Merge(FieldMap over)
        {
            if (over == null || over._entries.Count == 0) return this;
            var merged = new Dictionary<string, string>(_entries, StringComparer.Ordinal);
            foreach (var e in over._entries) merged[e.Key] = e.Value;
            return Create(merged, Side);
        }

        public override string ToString() => string.Join("; ", _entries.Select(e => $"{e.Key} = {(e.Value.Length == 0 ? "''" : e.Value)}"));
    }
}

namespace WeComSync.Model
{
    /// <summary>One row of the effective mapping (Get-WeComSyncFieldMap): a field and where the export and each API keep it.</summary>
    public sealed class FieldMapRow
    {
        public string Field { get; set; }
        public FieldKind Kind { get; set; }

        /// <summary>A model field (true) or a mapped one, compared as text under its source name.</summary>
        public bool BuiltIn { get; set; }

        /// <summary>The export columns that hold it ("" when the export has none: a mapped field reads the column named like it).</summary>
        public string Export { get; set; }

        /// <summary>Where Authing keeps it; "" when Authing does not (the field is then unknown there, never written).</summary>
        public string Authing { get; set; }

        /// <summary>Where WeCom keeps it; "" when WeCom does not.</summary>
        public string WeCom { get; set; }

        /// <summary>The rows for an Authing and a WeCom map (null: the defaults): every built-in field, then the mapped ones.</summary>
        public static List<FieldMapRow> Of(FieldMap authing, FieldMap weCom)
        {
            authing = authing ?? FieldMap.Empty(FieldSide.Authing);
            weCom = weCom ?? FieldMap.Empty(FieldSide.WeCom);
            var fields = UserFieldRegistry.BuiltIn.Concat(authing.MappedFields.Concat(weCom.MappedFields).Distinct(StringComparer.Ordinal).Select(UserFieldDefinition.Mapped));
            return fields.Select(f => new FieldMapRow
            {
                Field = f.Name, Kind = f.Kind, BuiltIn = f.IsBuiltIn, Export = string.Join(", ", f.Headers),
                Authing = authing.TargetOf(f) ?? "", WeCom = weCom.TargetOf(f) ?? "",
            }).ToList();
        }

        public override string ToString() => $"{Field}: Authing {(Authing.Length == 0 ? "-" : Authing)}, WeCom {(WeCom.Length == 0 ? "-" : WeCom)}";
    }
}
