using System;
using System.Collections.Generic;
using System.Linq;

namespace WeComSync.ExportGenerator
{
    public enum SeparatorStyle
    {
        /// <summary>'；' as the console writes it.</summary>
        FullWidth,
        Ascii,
        /// <summary>Alternates '；' and ';' between members.</summary>
        Mixed,
    }

    public sealed class GeneratorOptions
    {
        public int Users { get; set; } = 100;
        public int Seed { get; set; } = 1;
        public string Company { get; set; } = "星河科技";
        /// <summary>The 15-column variant with 企业邮箱 after 地址.</summary>
        public bool BizMail { get; set; }
        /// <summary>Older headers: 帐号 and 个人邮箱.</summary>
        public bool OldSpelling { get; set; }
        /// <summary>Store domestic mobile numbers as numbers, as Excel does when the column is not text.</summary>
        public bool NumbersAsNumbers { get; set; }
        /// <summary>Share of members in more than one department.</summary>
        public double MultiDepartmentRate { get; set; } = 0.1;
        public SeparatorStyle Separator { get; set; } = SeparatorStyle.FullWidth;
        /// <summary>Bad rows mixed in (one of each kind in turn): see <see cref="MemberGenerator.BadRowKinds"/>.</summary>
        public int BadRows { get; set; }
        /// <summary>Custom (对内) columns appended after the standard ones.</summary>
        public int CustomColumns { get; set; }
        public string SheetName { get; set; } = ExportTemplate.SheetName;
        /// <summary>Members whose 账号 is digits with leading zeros (00007): every k-th member, k = Users / PaddedIds.</summary>
        public int PaddedIds { get; set; }
        /// <summary>Those 账号 kept as numbers with the format 00000 (as Excel keeps a retyped cell), not as text.</summary>
        public bool IdsAsNumbers { get; set; }
        /// <summary>Those 账号 written without their leading zeros (00007 → 7): a CSV re-saved by Excel.</summary>
        public bool ZerosLost { get; set; }
        /// <summary>Members in several departments get them joined by this character (，, or 、) instead of ；; null: ；.</summary>
        public string WrongSeparator { get; set; }
        /// <summary>Members (every k-th) whose main department path has a full-width ／ for its first level separator.</summary>
        public int FullWidthSlash { get; set; }
        /// <summary>Members (every k-th) whose paths start with another top department (the company's name + （香港）).</summary>
        public int OtherTop { get; set; }
    }

    /// <summary>Deterministic, realistic members for an export: Chinese names, nested departments, some members in several.</summary>
    public static class MemberGenerator
    {
        private static readonly (string Han, string Pinyin)[] Surnames =
        {
            ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"),
            ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"),
            ("何", "he"), ("高", "gao"), ("林", "lin"), ("罗", "luo"), ("欧阳", "ouyang"), ("司马", "sima"),
        };

        private static readonly (string Han, string Pinyin)[] Given =
        {
            ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("强", "qiang"), ("磊", "lei"),
            ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"),
            ("秀英", "xiuying"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("桂英", "guiying"), ("子涵", "zihan"), ("浩然", "haoran"),
        };

        private static readonly string[] Groups = { "产品研发中心", "市场营销部", "财务部", "人力资源部", "客户服务中心", "供应链管理部", "法务部", "信息技术部" };
        private static readonly string[] Units = { "北京研发部", "上海研发部", "广州研发部", "深圳分部", "华东区", "华南区", "测试组", "运维组", "设计组", "数据组" };
        private static readonly string[] Teams = { "一组", "二组", "三组", "前端组", "后端组", "平台组" };
        private static readonly string[] Positions = { "工程师", "高级工程师", "产品经理", "经理", "总监", "专员", "主管", "设计师", "分析师", "" };
        private static readonly string[] Cities = { "北京市海淀区中关村大街1号", "上海市浦东新区世纪大道100号", "广州市天河区珠江新城", "深圳市南山区科技园", "" };

        public static readonly string[] BadRowKinds =
        {
            "EmptyName", "InvalidUserId", "DuplicateUserId", "NoMobileOrEmail", "DepartmentTooDeep", "InvalidDepartmentName", "InvalidMobile", "TooManyDepartments", "EmptyUserId",
        };

        /// <summary>The department paths the generator uses for <paramref name="options"/>, in a stable order.</summary>
        public static List<string> Departments(GeneratorOptions options)
        {
            var result = new List<string>();
            int groups = Math.Max(1, Math.Min(Groups.Length, 2 + options.Users / 2000));
            foreach (string g in Groups.Take(groups))
            {
                string gp = options.Company + "/" + g;
                result.Add(gp);
                foreach (string u in Units.Take(Math.Min(Units.Length, 2 + options.Users / 5000)))
                {
                    string up = gp + "/" + u;
                    result.Add(up);
                    foreach (string t in Teams.Take(Math.Min(Teams.Length, 1 + options.Users / 10000))) result.Add(up + "/" + t);
                }
            }
            return result;
        }

        public static ExportSheet Generate(GeneratorOptions options)
        {
            var rnd = new Random(options.Seed);
            var header = (options.BizMail ? ExportTemplate.BizMailHeader : ExportTemplate.Header).ToList();
            if (options.OldSpelling) { header[header.IndexOf("账号")] = "帐号"; header[header.IndexOf("邮箱")] = "个人邮箱"; }
            for (int i = 1; i <= options.CustomColumns; i++) header.Add(i == 1 ? "工号" : "自定义字段" + i);
            var sheet = new ExportSheet { Name = options.SheetName, Header = header };
            int col(string name) => header.IndexOf(name);
            int cName = col("姓名"), cId = Math.Max(col("账号"), col("帐号")), cAlias = col("别名"), cPos = col("职务"), cDept = col("部门"),
                cGender = col("性别"), cMobile = col("手机"), cTel = col("座机"), cMail = Math.Max(col("邮箱"), col("个人邮箱")), cAddr = col("地址"),
                cBiz = col("企业邮箱"), cVideo = col("视频号"), cAct = col("激活状态"), cDis = col("禁用状态"), cPlugin = col("微信插件");

            var departments = Departments(options);
            var rows = new List<object[]>(options.Users + options.BadRows);
            var userIds = new List<string>();
            int badEvery = options.BadRows > 0 ? Math.Max(1, options.Users / options.BadRows) : int.MaxValue;
            int bad = 0;
            int paddedEvery = options.PaddedIds > 0 ? Math.Max(1, options.Users / options.PaddedIds) : int.MaxValue;
            for (int i = 0; i < options.Users; i++)
            {
                var s = Surnames[rnd.Next(Surnames.Length)];
                var g = Given[rnd.Next(Given.Length)];
                var row = new object[header.Count];
                string id = s.Pinyin + g.Pinyin + (i + 1).ToString("D5");
                userIds.Add(id);
                row[cName] = s.Han + g.Han;
                row[cId] = id;
                if ((i + 1) % paddedEvery == 0 && (i + 1) / paddedEvery <= options.PaddedIds)
                {
                    id = (i + 1).ToString("D5");
                    userIds[userIds.Count - 1] = id;
                    row[cId] = options.IdsAsNumbers ? new FormattedNumber(i + 1, "00000") { AsRk = true } : (object)id;
                }
                if (cAlias >= 0) row[cAlias] = rnd.Next(5) == 0 ? (s.Pinyin + " " + g.Pinyin) : "";
                if (cPos >= 0) row[cPos] = Positions[rnd.Next(Positions.Length)];
                string main = departments[rnd.Next(departments.Count)];
                string dept = main;
                if (rnd.NextDouble() < options.MultiDepartmentRate)
                {
                    string sep = options.Separator == SeparatorStyle.Ascii || (options.Separator == SeparatorStyle.Mixed && i % 2 == 1) ? ";" : "；";
                    string second = departments[rnd.Next(departments.Count)];
                    if (second != main) dept += sep + second;
                }
                row[cDept] = dept;
                if (cGender >= 0) row[cGender] = rnd.Next(2) == 0 ? "男" : "女";
                bool international = rnd.Next(40) == 0;
                bool hasMobile = rnd.Next(10) != 0;
                if (cMobile >= 0 && hasMobile)
                {
                    if (international) row[cMobile] = "+852" + rnd.Next(50000000, 99999999);
                    else
                    {
                        long number = 13000000000L + (long)(rnd.NextDouble() * 6999999999L);
                        row[cMobile] = options.NumbersAsNumbers ? (object)(double)number : number.ToString();
                    }
                }
                if (cTel >= 0) row[cTel] = rnd.Next(4) == 0 ? "010-" + rnd.Next(60000000, 69999999) : "";
                if (cMail >= 0) row[cMail] = !hasMobile || rnd.Next(3) != 0 ? id + "@example.com" : "";
                if (cAddr >= 0) row[cAddr] = Cities[rnd.Next(Cities.Length)];
                if (cBiz >= 0) row[cBiz] = id + "@corp.example.com";
                if (cVideo >= 0) row[cVideo] = "";
                int state = rnd.Next(20);
                if (cAct >= 0) row[cAct] = state == 0 ? "未激活" : "已激活";
                if (cDis >= 0) row[cDis] = state == 1 ? "禁用" : "启用";
                if (cPlugin >= 0) row[cPlugin] = rnd.Next(2) == 0 ? "已关注" : "未关注";
                for (int c = 0; c < options.CustomColumns; c++) row[header.Count - options.CustomColumns + c] = c == 0 ? "E" + (i + 1).ToString("D6") : "值" + rnd.Next(100);
                rows.Add(row);

                if (bad < options.BadRows && (i + 1) % badEvery == 0)
                {
                    rows.Add(BadRow(BadRowKinds[bad % BadRowKinds.Length], row, header.Count, cName, cId, cDept, cMobile, cMail, cBiz, options.Company, userIds, bad));
                    bad++;
                }
            }
            sheet.Rows = rows;
            Distort(rows, options, cId, cDept);
            return sheet;
        }

        /// <summary>
        /// The hand edits of the options (zeros lost, wrong separators, ／, another top department), applied to the
        /// generated rows afterwards, so a file with them has the same members as the clean file of the same seed.
        /// </summary>
        private static void Distort(List<object[]> rows, GeneratorOptions options, int cId, int cDept)
        {
            int slashEvery = options.FullWidthSlash > 0 ? Math.Max(1, rows.Count / options.FullWidthSlash) : int.MaxValue;
            int topEvery = options.OtherTop > 0 ? Math.Max(1, rows.Count / options.OtherTop) : int.MaxValue;
            int slashes = 0, tops = 0;
            for (int r = 0; r < rows.Count; r++)
            {
                var row = rows[r];
                if (options.ZerosLost && row[cId] is string id && id.Length > 1 && id[0] == '0' && id.All(char.IsDigit)) row[cId] = id.TrimStart('0');
                if (!(row[cDept] is string dept) || dept.Length == 0) continue;
                if (options.WrongSeparator != null) dept = dept.Replace("；", options.WrongSeparator).Replace(";", options.WrongSeparator);
                if ((r + 1) % slashEvery == 0 && slashes < options.FullWidthSlash && dept.IndexOf('/') > 0)
                {
                    int at = dept.IndexOf('/');
                    dept = dept.Substring(0, at) + "／" + dept.Substring(at + 1);
                    slashes++;
                }
                else if ((r + 1) % topEvery == 0 && tops < options.OtherTop && dept.StartsWith(options.Company + "/", StringComparison.Ordinal))
                {
                    dept = string.Join("；", dept.Split('；').Select(p => p.StartsWith(options.Company + "/", StringComparison.Ordinal) ? options.Company + "（香港）" + p.Substring(options.Company.Length) : p));
                    tops++;
                }
                row[cDept] = dept;
            }
        }

        /// <summary>A copy of a good row broken in one way.</summary>
        private static object[] BadRow(string kind, object[] good, int width, int cName, int cId, int cDept, int cMobile, int cMail, int cBiz, string company, List<string> ids, int n)
        {
            var row = (object[])good.Clone();
            row[cId] = "bad" + n.ToString("D5");
            switch (kind)
            {
                case "EmptyName": row[cName] = ""; break;
                case "EmptyUserId": row[cId] = ""; break;
                case "InvalidUserId": row[cId] = "bad id#" + n; break;
                case "DuplicateUserId": row[cId] = ids[ids.Count / 2].ToUpperInvariant(); break;
                case "NoMobileOrEmail":
                    if (cMobile >= 0) row[cMobile] = "";
                    if (cMail >= 0) row[cMail] = "";
                    if (cBiz >= 0) row[cBiz] = "";
                    break;
                case "DepartmentTooDeep": row[cDept] = company + string.Concat(Enumerable.Range(1, 15).Select(l => "/层级" + l)); break;
                case "InvalidDepartmentName": row[cDept] = company + "/研发|测试"; break;
                case "InvalidMobile": if (cMobile >= 0) row[cMobile] = "138abc"; break;
                case "TooManyDepartments": row[cDept] = string.Join("；", Enumerable.Range(1, 101).Select(d => company + "/项目" + d)); break;
            }
            return row;
        }
    }
}
