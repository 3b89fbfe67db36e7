using System;
using System.Collections.Generic;
using System.IO;
using WeComSync.AddressBook;
using WeComSync.ExportGenerator;
using WeComSync.Model;

namespace WeComSync.Tests.AddressBook
{
    /// <summary>Writes export files into a temporary folder and reads them back, collecting every problem.</summary>
    public sealed class ExportFixture : IDisposable
    {
        public ExportFixture()
        {
            Folder = Path.Combine(Path.GetTempPath(), "wecomsync-reader-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Folder);
        }

        public string Folder { get; }

        public string PathOf(string name) => Path.Combine(Folder, name);

        public string Write(string name, params ExportSheet[] sheets) => Write(name, CsvEncoding.Utf8Bom, sheets);

        public string Write(string name, CsvEncoding encoding, params ExportSheet[] sheets)
        {
            string path = PathOf(name);
            ExportWriter.Write(path, encoding, sheets);
            return path;
        }

        /// <summary>A sheet in the console's layout with the given members.</summary>
        public static ExportSheet Sheet(params Dictionary<string, object>[] members) => Sheet(ExportTemplate.Header, members);

        public static ExportSheet Sheet(IReadOnlyList<string> header, params Dictionary<string, object>[] members)
        {
            var sheet = new ExportSheet { Header = header };
            var rows = new List<object[]>();
            foreach (var m in members) rows.Add(m == null ? new object[header.Count] : sheet.Row(m));
            sheet.Rows = rows;
            return sheet;
        }

        /// <summary>A valid member; override any column by its header.</summary>
        public static Dictionary<string, object> Member(string name, string userId, string department = "腾讯公司/微信事业群/广州研发部", object mobile = null, params (string Header, object Value)[] more)
        {
            var m = new Dictionary<string, object>
            {
                ["姓名"] = name, ["账号"] = userId, ["部门"] = department, ["手机"] = mobile ?? "13800000000", ["邮箱"] = "",
                ["性别"] = "男", ["激活状态"] = "已激活", ["禁用状态"] = "启用",
            };
            foreach (var (h, v) in more) m[h] = v;
            return m;
        }

        public static (List<User> Users, List<AddressBookProblem> Problems, AddressBookReader Reader) Read(string path, AddressBookReadOptions options = null)
        {
            var problems = new List<AddressBookProblem>();
            options = options ?? new AddressBookReadOptions();
            options.OnProblem = problems.Add;
            var reader = new AddressBookReader(options);
            var users = new List<User>(reader.ReadUsers(path));
            return (users, problems, reader);
        }

        public void Dispose()
        {
            try { Directory.Delete(Folder, true); } catch (IOException) { }
        }
    }
}
