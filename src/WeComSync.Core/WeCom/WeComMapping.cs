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
        /// <summary>Model fields that self-built and agent-development apps never see (gender, mobile, email, biz_mail, address).</summary>
        public static readonly IReadOnlyList<string> SensitiveFields = new[] { "Gender", "Mobile", "Email", "BizMail", "Address" };

        /// <summary>Model fields that come only from detail reads (user/get, user/list): unknown when those are banned (48009).</summary>
        public static readonly IReadOnlyList<string> DetailFields = new[] { "Name", "Alias", "Position", "Gender", "Mobile", "Telephone", "Email", "BizMail", "Address", "Enabled", "Status" };

        public static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

        /// <summary>Fills <paramref name="user"/> from a user/get or user/list member; absent and withheld fields stay null.</summary>
        public static void ApplyDetails(User user, JObject m, ISet<string> withheld)
        {
            string Str(string name) => withheld.Contains(ModelName(name)) ? null : m.TryGetValue(name, out var t) && t.Type != JTokenType.Null ? Text.Clean((string)t) : null;

            user.UserId = (string)m["userid"] ?? user.UserId;
            user.Name = Str("name") ?? user.Name;
            user.Alias = Str("alias");
            user.Position = Str("position");
            user.Telephone = Str("telephone");
            user.Email = Str("email");
            user.BizMail = Str("biz_mail");
            user.Address = Str("address");
            var mobile = Str("mobile");
            user.Mobile = mobile == null ? null : MobileNumber.Normalize(mobile);
            var gender = Str("gender");
            user.Gender = gender == null ? (Gender?)null : gender == "1" ? Model.Gender.Male : gender == "2" ? Model.Gender.Female : Model.Gender.Unknown;
            if (m["enable"] != null && m["enable"].Type != JTokenType.Null) user.Enabled = (int)m["enable"] == 1;
            if (m["status"] != null && m["status"].Type != JTokenType.Null)
            {
                int s = (int)m["status"];
                user.Status = Enum.IsDefined(typeof(UserStatus), s) ? (UserStatus)s : UserStatus.Unknown;
            }
            if (m["department"] is JArray depts)
            {
                var list = depts.Select(d => Id((long)d)).ToList();
                var main = m["main_department"];
                if (main != null && main.Type != JTokenType.Null)
                {
                    var mainId = Id((long)main);
                    if (list.Remove(mainId)) list.Insert(0, mainId);
                }
                user.Departments = list;
            }
        }

        private static string ModelName(string wecomName)
        {
            switch (wecomName)
            {
                case "biz_mail": return "BizMail";
                default: return char.ToUpperInvariant(wecomName[0]) + wecomName.Substring(1);
            }
        }

        /// <summary>WeCom's mobile form: domestic numbers bare, others "+CC NNN" (WeCom accepts both).</summary>
        public static string ToWeComMobile(string normalized)
        {
            if (string.IsNullOrEmpty(normalized)) return normalized;
            var (cc, number) = MobileNumber.Split(MobileNumber.Normalize(normalized));
            if (cc == null) return normalized;
            return cc == MobileNumber.DefaultCountryCode ? number : cc + " " + number;
        }

        public static string ToWeComGender(Gender? g) => g == Model.Gender.Male ? "1" : g == Model.Gender.Female ? "2" : "0";

        /// <summary>
        /// Writes one model field into a create/update body. Departments are written by the applier (they need id
        /// resolution). Returns false for a field WeCom has no place for.
        /// </summary>
        public static bool WriteField(JObject body, string field, User source)
        {
            switch (field)
            {
                case "Name": body["name"] = source.Name; return true;
                case "Alias": body["alias"] = source.Alias ?? ""; return true;
                case "Position": body["position"] = source.Position ?? ""; return true;
                case "Gender": body["gender"] = ToWeComGender(source.Gender); return true;
                case "Mobile": body["mobile"] = ToWeComMobile(source.Mobile) ?? ""; return true;
                case "Telephone": body["telephone"] = source.Telephone ?? ""; return true;
                case "Email": body["email"] = source.Email ?? ""; return true;
                case "BizMail": body["biz_mail"] = source.BizMail ?? ""; return true;
                case "Address": body["address"] = source.Address ?? ""; return true;
                case "Enabled": body["enable"] = source.Enabled == false ? 0 : 1; return true;
                default: return false;
            }
        }

        /// <summary>The model fields a create sends when the source knows them (Departments and UserId apart).</summary>
        public static readonly IReadOnlyList<string> WritableFields = new[] { "Name", "Alias", "Position", "Gender", "Mobile", "Telephone", "Email", "BizMail", "Address", "Enabled" };

        public static object ValueOf(User u, string field)
        {
            switch (field)
            {
                case "Name": return u.Name;
                case "Alias": return u.Alias;
                case "Position": return u.Position;
                case "Gender": return u.Gender;
                case "Mobile": return u.Mobile;
                case "Telephone": return u.Telephone;
                case "Email": return u.Email;
                case "BizMail": return u.BizMail;
                case "Address": return u.Address;
                case "Enabled": return u.Enabled;
                case "Departments": return u.Departments;
                default: return null;
            }
        }
    }
}
