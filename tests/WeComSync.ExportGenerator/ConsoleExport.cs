using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;

namespace WeComSync.ExportGenerator
{
    /// <summary>
    /// The export the WeCom admin console would give for a corp's state (the emulator's dump, <c>GET /_emulator/state</c>):
    /// one row per member in the console's layout, 部门 as full paths from the root (the company) joined by "；", the main
    /// department first, 性别 男/女, domestic mobiles bare, 激活状态 and 禁用状态 as the console words them. For the
    /// cycle tests (downstream, then upstream from what WeCom holds, then downstream again).
    /// </summary>
    public static class ConsoleExport
    {
        /// <summary>The sheet for the <c>wecom</c> part of a dump (the whole dump or that part alone).</summary>
        public static ExportSheet FromDump(string dumpJson)
        {
            var root = JsonNode.Parse(dumpJson);
            var wecom = root?["wecom"] ?? root;
            var departments = new Dictionary<int, (string Name, int Parent)>();
            foreach (var d in wecom?["departments"]?.AsArray() ?? new JsonArray())
                departments[(int)d["id"]] = ((string)d["name"], (int?)d["parentid"] ?? 0);

            string PathOf(int id)
            {
                var names = new List<string>();
                var seen = new HashSet<int>();
                for (int at = id; departments.TryGetValue(at, out var d) && seen.Add(at); at = d.Parent) names.Add(d.Name);
                names.Reverse();
                return string.Join("/", names);
            }

            var sheet = new ExportSheet { Header = ExportTemplate.Header };
            var rows = new List<object[]>();
            foreach (var u in wecom?["users"]?.AsArray() ?? new JsonArray())
            {
                var ids = (u["department"]?.AsArray() ?? new JsonArray()).Select(n => (int)n).ToList();
                int main = (int?)u["main_department"] ?? 0;
                if (ids.Remove(main)) ids.Insert(0, main);
                rows.Add(sheet.Row(new Dictionary<string, object>
                {
                    ["姓名"] = (string)u["name"],
                    ["账号"] = (string)u["userid"],
                    ["别名"] = (string)u["alias"],
                    ["职务"] = (string)u["position"],
                    ["部门"] = string.Join("；", ids.Select(PathOf)),
                    ["性别"] = (string)u["gender"] == "1" ? "男" : (string)u["gender"] == "2" ? "女" : null,
                    ["手机"] = Domestic((string)u["mobile"]),
                    ["座机"] = (string)u["telephone"],
                    ["邮箱"] = (string)u["email"],
                    ["地址"] = (string)u["address"],
                    ["激活状态"] = ((int?)u["status"] ?? 4) switch { 1 => "已激活", 2 => "已禁用", 5 => "已退出", _ => "未激活" },
                    ["禁用状态"] = ((int?)u["enable"] ?? 1) == 0 ? "禁用" : "启用",
                }));
            }
            sheet.Rows = rows;
            return sheet;
        }

        /// <summary>The console shows a domestic (+86) number bare and an international one with + and its country code.</summary>
        private static string Domestic(string mobile)
        {
            if (string.IsNullOrWhiteSpace(mobile)) return null;
            var m = mobile.Trim();
            if (m.StartsWith("+86", StringComparison.Ordinal)) return m.Substring(3).Trim().TrimStart('-', ' ');
            return m;
        }
    }
}
