using System.Text;
using System.Text.Json.Nodes;
using WeComSync.Emulator.WeCom;

namespace WeComSync.Emulator.Events;

/// <summary>
/// The plaintext of a contact-change callback (成员变更通知 /document/path/96302, 部门变更通知 /96303): change_contact with
/// its ChangeType and the object's fields. In sync-assistant mode (a URL configured after 2022-08-15) members carry only
/// UserID/Department, departments only Id/ParentId, and update_party is sent only when ParentId changed.
/// </summary>
public static class WeComChangeXml
{
    /// <summary>The XML, or null when the change sends no event (nothing that the mode reports changed).</summary>
    public static string Build(WeComChange c, bool syncAssistant, string corpId, long createTime)
    {
        var fields = new List<(string name, string value, bool cdata)>();
        switch (c.ChangeType)
        {
            case "create_user":
                fields.Add(("UserID", c.NewUser.UserId, true));
                if (syncAssistant) fields.Add(("Department", Join(c.NewUser.Department), true));
                else fields.AddRange(UserFields(null, c.NewUser));
                break;
            case "update_user":
                fields.Add(("UserID", c.OldUser.UserId, true));
                if (syncAssistant)
                {
                    if (!UserFields(c.OldUser, c.NewUser).Any() && c.OldUser.UserId == c.NewUser.UserId) return null;
                    fields.Add(("Department", Join(c.NewUser.Department), true));
                }
                else
                {
                    if (!string.Equals(c.OldUser.UserId, c.NewUser.UserId, StringComparison.Ordinal)) fields.Add(("NewUserID", c.NewUser.UserId, true));
                    var changed = UserFields(c.OldUser, c.NewUser).ToList();
                    if (changed.Count == 0 && fields.Count == 1) return null;
                    fields.AddRange(changed);
                }
                break;
            case "delete_user":
                fields.Add(("UserID", c.OldUser.UserId, true));
                break;
            case "create_party":
                fields.Add(("Id", c.NewDepartment.Id.ToString(), false));
                if (!syncAssistant) fields.Add(("Name", c.NewDepartment.Name, true));
                fields.Add(("ParentId", c.NewDepartment.ParentId.ToString(), true));
                if (!syncAssistant) fields.Add(("Order", c.NewDepartment.Order.ToString(), false));
                break;
            case "update_party":
                var moved = c.OldDepartment.ParentId != c.NewDepartment.ParentId;
                var renamed = c.OldDepartment.Name != c.NewDepartment.Name;
                if (syncAssistant ? !moved : !(moved || renamed)) return null;
                fields.Add(("Id", c.NewDepartment.Id.ToString(), false));
                if (!syncAssistant && renamed) fields.Add(("Name", c.NewDepartment.Name, true));
                if (moved) fields.Add(("ParentId", c.NewDepartment.ParentId.ToString(), true));
                break;
            case "delete_party":
                fields.Add(("Id", c.OldDepartment.Id.ToString(), false));
                break;
            default:
                throw new ArgumentException("unknown ChangeType " + c.ChangeType);
        }
        var sb = new StringBuilder("<xml>");
        Element(sb, "ToUserName", corpId, true);
        Element(sb, "FromUserName", "sys", true);
        Element(sb, "CreateTime", createTime.ToString(), false);
        Element(sb, "MsgType", "event", true);
        Element(sb, "Event", "change_contact", true);
        Element(sb, "ChangeType", c.ChangeType, true);
        foreach (var (name, value, cdata) in fields)
        {
            if (name == "ExtAttr") sb.Append(value); // already XML
            else Element(sb, name, value, cdata);
        }
        return sb.Append("</xml>").ToString();
    }

    /// <summary>The member's fields as 96302 lists them: all that are set (old == null), or those that differ.</summary>
    private static IEnumerable<(string, string, bool)> UserFields(WeComUser old, WeComUser u)
    {
        IEnumerable<(string name, string value, bool cdata)> All()
        {
            yield return ("Name", u.Name ?? "", true);
            yield return ("Department", Join(u.Department), true);
            yield return ("MainDepartment", u.MainDepartment.ToString(), false);
            yield return ("IsLeaderInDept", Join(u.IsLeaderInDept), true);
            yield return ("DirectLeader", string.Join(",", u.DirectLeader ?? new()), true);
            yield return ("Position", u.Position ?? "", true);
            yield return ("Mobile", u.Mobile ?? "", false);
            yield return ("Gender", u.Gender ?? "0", false);
            yield return ("Email", u.Email ?? "", true);
            yield return ("BizMail", u.BizMail ?? "", true);
            yield return ("Status", u.Status.ToString(), false);
            yield return ("Avatar", u.Avatar ?? "", true);
            yield return ("Alias", u.Alias ?? "", true);
            yield return ("Telephone", u.Telephone ?? "", true);
            yield return ("Address", u.Address ?? "", true);
            yield return ("ExtAttr", ExtAttrXml(u.Extattr), false);
        }
        if (old == null) return All().Where(f => f.value.Length > 0 && f.value != "<ExtAttr></ExtAttr>");
        var before = new WeComUserFieldsOf(old);
        return All().Where(f => before.Value(f.name) != f.value);
    }

    /// <summary>The same field strings for the member before the change, to compare with.</summary>
    private sealed class WeComUserFieldsOf(WeComUser old)
    {
        private readonly Dictionary<string, string> _values = Values(old);

        public string Value(string name) => _values[name];

        private static Dictionary<string, string> Values(WeComUser u) => new()
        {
            ["Name"] = u.Name ?? "", ["Department"] = Join(u.Department), ["MainDepartment"] = u.MainDepartment.ToString(),
            ["IsLeaderInDept"] = Join(u.IsLeaderInDept), ["DirectLeader"] = string.Join(",", u.DirectLeader ?? new()),
            ["Position"] = u.Position ?? "", ["Mobile"] = u.Mobile ?? "", ["Gender"] = u.Gender ?? "0", ["Email"] = u.Email ?? "",
            ["BizMail"] = u.BizMail ?? "", ["Status"] = u.Status.ToString(), ["Avatar"] = u.Avatar ?? "", ["Alias"] = u.Alias ?? "",
            ["Telephone"] = u.Telephone ?? "", ["Address"] = u.Address ?? "", ["ExtAttr"] = ExtAttrXml(u.Extattr),
        };
    }

    private static string Join<T>(IEnumerable<T> values) => string.Join(",", values ?? Enumerable.Empty<T>());

    /// <summary>ExtAttr as 96302's sample writes it: Item (Name, Type 0 Text/Value or Type 1 Web/Title,Url).</summary>
    private static string ExtAttrXml(JsonObject extattr)
    {
        var sb = new StringBuilder("<ExtAttr>");
        if (extattr?["attrs"] is JsonArray attrs)
            foreach (var a in attrs.OfType<JsonObject>())
            {
                sb.Append("<Item>");
                Element(sb, "Name", a.Str("name") ?? "", true);
                var type = a.Long("type") ?? 0;
                Element(sb, "Type", type.ToString(), false);
                if (type == 1)
                {
                    var web = a.Obj("web");
                    sb.Append("<Web>");
                    Element(sb, "Title", web.Str("title") ?? "", true);
                    Element(sb, "Url", web.Str("url") ?? "", true);
                    sb.Append("</Web>");
                }
                else
                {
                    sb.Append("<Text>");
                    Element(sb, "Value", a.Obj("text").Str("value") ?? "", true);
                    sb.Append("</Text>");
                }
                sb.Append("</Item>");
            }
        return sb.Append("</ExtAttr>").ToString();
    }

    internal static void Element(StringBuilder sb, string name, string value, bool cdata)
    {
        sb.Append('<').Append(name).Append('>');
        if (cdata) sb.Append("<![CDATA[").Append((value ?? "").Replace("]]>", "]]]]><![CDATA[>")).Append("]]>");
        else sb.Append(System.Security.SecurityElement.Escape(value ?? ""));
        sb.Append("</").Append(name).Append('>');
    }
}
