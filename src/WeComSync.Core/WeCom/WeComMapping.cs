using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Newtonsoft.Json.Linq;
using WeComSync.Model;
using WeComSync.Normalization;

namespace WeComSync.WeCom
{
    /// <summary>WeCom JSON ↔ the neutral model (docs/ARCHITECTURE.md §3, field mapping). A field WeCom did not return stays null (unknown).</summary>
    public static class WeComMapping
    {
        public static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

        /// <summary>Fills <paramref name="user"/> from a user/get or user/list member with the default fields; absent and withheld fields stay null.</summary>
        public static void ApplyDetails(User user, JObject m, ISet<string> withheld) => WeComUserFields.Default.ApplyDetails(user, m, withheld);

        /// <summary>WeCom's mobile form: domestic numbers bare, others "+CC NNN" (WeCom accepts both).</summary>
        public static string ToWeComMobile(string normalized)
        {
            if (string.IsNullOrEmpty(normalized)) return normalized;
            var (cc, number) = MobileNumber.Split(MobileNumber.Normalize(normalized));
            if (cc == null) return normalized;
            return cc == MobileNumber.DefaultCountryCode ? number : cc + " " + number;
        }

        /// <summary>
        /// WeCom's gender code for a write: user/create and user/update define only "1表示男性，2表示女性" (document/path/90195,
        /// /90197); null for any other (unknown, unset): the write leaves the field out. Reads answer "0" (未定义) for a
        /// member without one (WxJava Gender.UNDEFINED), which is not a value to send.
        /// </summary>
        public static string ToWeComGender(Gender? g) => g == Model.Gender.Male ? "1" : g == Model.Gender.Female ? "2" : null;
    }

    /// <summary>
    /// Where WeCom keeps each user field: the registry's defaults with a field map on top (extattr.&lt;name&gt;,
    /// external_position …). Reads members into the model and writes model fields into user/create and user/update bodies.
    /// </summary>
    public sealed class WeComUserFields
    {
        // Fields self-built and agent-development apps never see (docs/ARCHITECTURE.md §11: gender, mobile, email, biz_mail, address).
        private static readonly HashSet<string> SensitiveTargets = new HashSet<string>(StringComparer.Ordinal) { "gender", "mobile", "email", "biz_mail", "address" };

        public static readonly WeComUserFields Default = new WeComUserFields(null);

        private readonly (UserFieldDefinition Field, string Target)[] _fields; // kept by WeCom, departments apart
        private readonly Dictionary<string, (UserFieldDefinition Field, string Target)> _byName;

        public WeComUserFields(FieldMap map)
        {
            map = map ?? FieldMap.Empty(FieldSide.WeCom);
            _fields = map.Effective().Where(f => f.Target != null && f.Field.Kind != FieldKind.Departments).ToArray();
            _byName = _fields.ToDictionary(f => f.Field.Name, StringComparer.OrdinalIgnoreCase);
            SensitiveFields = _fields.Where(f => SensitiveTargets.Contains(f.Target)).Select(f => f.Field.Name).ToArray();
            // Everything but the id lists comes from detail reads (user/get, user/list): unknown when those are banned (48009).
            DetailFields = _fields.Select(f => f.Field.Name).Concat(new[] { nameof(User.Status) })
                .Concat(map.Effective().Where(f => f.Target == null && f.Field.IsBuiltIn).Select(f => f.Field.Name)).ToArray();
        }

        public static WeComUserFields For(FieldMap map) => map == null || map.Entries.Count == 0 ? Default : new WeComUserFields(map);

        /// <summary>Model fields self-built and agent-development apps never see.</summary>
        public IReadOnlyList<string> SensitiveFields { get; }

        /// <summary>Model fields that come only from detail reads (user/get, user/list), and those WeCom does not keep at all.</summary>
        public IReadOnlyList<string> DetailFields { get; }

        /// <summary>The fields WeCom keeps (a create sends every one the source knows).</summary>
        public IEnumerable<UserFieldDefinition> Writable => _fields.Select(f => f.Field);

        /// <summary>Fills <paramref name="user"/> from a user/get or user/list member; absent and withheld fields stay null.</summary>
        public void ApplyDetails(User user, JObject m, ISet<string> withheld)
        {
            user.UserId = (string)m["userid"] ?? user.UserId;
            foreach (var (field, target) in _fields)
            {
                if (withheld.Contains(field.Name)) continue;
                var value = Read(m, target);
                if (value != null || field.Name != nameof(User.Name)) field.Set(user, value); // a name from the id list stays
            }
            if (m["status"] != null && m["status"].Type != JTokenType.Null)
            {
                int s = (int)m["status"];
                user.Status = Enum.IsDefined(typeof(UserStatus), s) ? (UserStatus)s : UserStatus.Unknown;
            }
            if (m["department"] is JArray depts)
            {
                var list = depts.Select(d => WeComMapping.Id((long)d)).ToList();
                var main = m["main_department"];
                if (main != null && main.Type != JTokenType.Null)
                {
                    var mainId = WeComMapping.Id((long)main);
                    if (list.Remove(mainId)) list.Insert(0, mainId);
                }
                user.Departments = list;
            }
        }

        private static object Read(JObject m, string target)
        {
            if (target.StartsWith(FieldMap.ExtattrPrefix, StringComparison.Ordinal)) return ReadAttr(m, target.Substring(FieldMap.ExtattrPrefix.Length));
            if (!m.TryGetValue(target, out var t) || t.Type == JTokenType.Null) return null;
            switch (target)
            {
                case "mobile": return MobileNumber.Normalize(Text.Clean((string)t));
                case "gender": var g = Text.Clean((string)t); return g == "1" ? Gender.Male : g == "2" ? Gender.Female : Gender.Unknown;
                case "enable": return (int)t == 1;
                default: return Text.Clean((string)t);
            }
        }

        /// <summary>
        /// A custom attribute's value: extattr.attrs[] of {type 0, name, text.value} or {type 1, name, web.url}. An attribute
        /// the member does not carry is unknown (null), never empty.
        /// </summary>
        private static string ReadAttr(JObject m, string name)
        {
            if (!(m["extattr"]?["attrs"] is JArray attrs)) return null;
            foreach (var a in attrs.OfType<JObject>())
            {
                if (!string.Equals((string)a["name"], name, StringComparison.Ordinal)) continue;
                return Text.Clean((int?)a["type"] == 1 ? (string)a["web"]?["url"] : (string)a["text"]?["value"]) ?? "";
            }
            return null;
        }

        /// <summary>
        /// user/create and user/update's extattr: {"attrs":[{"type":0,"name":…,"text":{"value":…}}]} (WeCom 成员扩展属性;
        /// QQ::weixin::work::user, wechatpy). Every mapped attribute the source knows goes in together, whichever one
        /// changed; an update adds the member's other attributes (<see cref="KeepOtherAttrs"/>), so that none is lost
        /// whether WeCom merges the list or replaces it (docs/ServiceFacts.md).
        /// </summary>
        private void WriteAttrs(JObject body, User source)
        {
            var attrs = new JArray();
            foreach (var (field, target) in _fields)
            {
                if (!target.StartsWith(FieldMap.ExtattrPrefix, StringComparison.Ordinal)) continue;
                var value = field.GetText(source);
                if (value == null) continue;
                attrs.Add(new JObject { ["type"] = 0, ["name"] = target.Substring(FieldMap.ExtattrPrefix.Length), ["text"] = new JObject { ["value"] = value } });
            }
            body["extattr"] = new JObject { ["attrs"] = attrs };
        }

        /// <summary>
        /// Makes an update's extattr carry the member's attributes the map does not own, as <paramref name="member"/>
        /// (user/get, read just before) holds them, with the body's own in their place: WeCom's documents do not say that
        /// user/update keeps attributes left out of extattr.attrs (docs/ServiceFacts.md), so an update never leaves one out.
        /// Returns false when the body writes no extattr (nothing to keep).
        /// </summary>
        public static bool KeepOtherAttrs(JObject body, JObject member)
        {
            if (!(body["extattr"]?["attrs"] is JArray ours)) return false;
            var mine = new Dictionary<string, JObject>(StringComparer.Ordinal);
            foreach (var a in ours.OfType<JObject>()) mine[(string)a["name"] ?? ""] = a;
            var merged = new JArray();
            if (member?["extattr"]?["attrs"] is JArray theirs)
            {
                foreach (var a in theirs.OfType<JObject>())
                {
                    string name = (string)a["name"] ?? "";
                    if (mine.TryGetValue(name, out var replacement)) { merged.Add(replacement); mine.Remove(name); }
                    else merged.Add(a.DeepClone());
                }
            }
            foreach (var a in ours.OfType<JObject>()) if (mine.ContainsKey((string)a["name"] ?? "")) merged.Add(a);
            body["extattr"] = new JObject { ["attrs"] = merged };
            return true;
        }

        /// <summary>
        /// Writes one model field into a create/update body. Departments are written by the applier (they need id
        /// resolution). Returns false for a field WeCom has no place for.
        /// </summary>
        public bool Write(JObject body, string field, User source)
        {
            if (!_byName.TryGetValue(field, out var slot)) return false;
            var value = slot.Field.Get(source);
            switch (slot.Target)
            {
                case "name": body["name"] = (string)value; return true;
                case "mobile": body["mobile"] = WeComMapping.ToWeComMobile((string)value) ?? ""; return true;
                case "gender":
                    // Unknown is left out (create and update alike): WeCom defines no code for it.
                    var code = WeComMapping.ToWeComGender((Gender?)value);
                    if (code == null) body.Remove("gender"); else body["gender"] = code;
                    return true;
                case "enable": body["enable"] = (bool?)value == false ? 0 : 1; return true;
            }
            if (slot.Target.StartsWith(FieldMap.ExtattrPrefix, StringComparison.Ordinal))
            {
                WriteAttrs(body, source);
                return true;
            }
            body[slot.Target] = (string)value ?? "";
            return true;
        }
    }
}
