using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using WeComSync.AddressBook;
using WeComSync.ExportGenerator;
using WeComSync.Model;
using Xunit;

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

        /// <summary>
        /// Reads the file with a recording output; the problems are what it wrote, in order: each error (a bad row) with
        /// its id, kind and row, each warning as a problem without a code (PowerShell warnings have no id).
        /// </summary>
        public static (List<User> Users, List<AddressBookProblem> Problems, AddressBookReader Reader) Read(string path, AddressBookReadOptions options = null)
        {
            var output = new RecordingHost();
            var reader = new AddressBookReader(options, output);
            var users = new List<User>(reader.ReadUsers(path));
            return (users, Problems(output), reader);
        }

        internal static List<AddressBookProblem> Problems(RecordingHost output)
        {
            var problems = new List<AddressBookProblem>();
            foreach (object written in output.Problems)
            {
                if (written is OutputError e)
                {
                    // A bad row's error record says what to do, and carries the row (the templates' run log reads it).
                    Assert.Equal(AddressBookReader.FixRowAdvice, e.RecommendedAction);
                    problems.Add(new AddressBookProblem(e.ErrorId, ProblemSeverity.Error, e.Kind, e.Message, Assert.IsType<AddressBookRow>(e.Target)));
                }
                else problems.Add(new AddressBookProblem(null, ProblemSeverity.Warning, ProblemKind.InvalidData, (string)written));
            }
            return problems;
        }

        /// <summary>The warnings whose text has <paramref name="fragment"/>.</summary>
        public static List<AddressBookProblem> Warnings(List<AddressBookProblem> problems, string fragment) =>
            problems.Where(p => p.Severity == ProblemSeverity.Warning && p.Message.Contains(fragment)).ToList();

        public void Dispose()
        {
            try { Directory.Delete(Folder, true); } catch (IOException) { }
        }
    }
}
