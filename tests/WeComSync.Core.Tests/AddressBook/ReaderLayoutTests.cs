using System;
using System.Linq;
using WeComSync.AddressBook;
using WeComSync.ExportGenerator;
using WeComSync.Model;
using Xunit;
using static WeComSync.Tests.AddressBook.ExportFixture;

namespace WeComSync.Tests.AddressBook
{
    public class ReaderLayoutTests : IClassFixture<ExportFixture>
    {
        private readonly ExportFixture _files;
        public ReaderLayoutTests(ExportFixture files) => _files = files;

        [Fact]
        public void Console_layout_skips_eight_merged_instruction_rows_and_reads_from_row_10()
        {
            string path = _files.Write("layout.xlsx", Sheet(Member("张三", "zhangsan"), Member("李四", "lisi")));
            var (users, problems, reader) = Read(path);

            Assert.Empty(problems);
            Assert.Equal(new[] { "zhangsan", "lisi" }, users.Select(u => u.UserId));
            Assert.Equal("layout.xlsx, sheet 成员列表, row 10", users[0].Origin);
            Assert.Equal("layout.xlsx, sheet 成员列表, row 11", users[1].Origin);
            Assert.Equal(DirectorySource.WeComExport, users[0].Source);
            Assert.Equal(2, reader.Summary.UsersRead);
            Assert.Equal("xlsx", reader.Summary.Format);
        }

        [Fact]
        public void Variant_with_an_extra_instruction_row_and_biz_mail_column_is_mapped_by_name()
        {
            var sheet = Sheet(ExportTemplate.BizMailHeader, Member("王五", "wangwu", more: ("企业邮箱", "wangwu@corp.example.com")));
            sheet.Instructions = ExportTemplate.Instructions.Concat(new[] { "8、新增说明：企业邮箱字段" }).ToList();
            var (users, problems, _) = Read(_files.Write("bizmail.xlsx", sheet));

            Assert.Empty(problems);
            var u = Assert.Single(users);
            Assert.Equal("wangwu@corp.example.com", u.BizMail);
            Assert.DoesNotContain(nameof(User.BizMail), u.WithheldFields);
            Assert.Equal("bizmail.xlsx, sheet 成员列表, row 11", u.Origin); // 9 instruction rows, header on row 10
        }

        /// <summary>
        /// The reader takes its fields from the registry: every built-in field's first header is read into the field
        /// by its kind, and a field whose column the file lacks is withheld. A new registry entry is covered here
        /// without a line of reader code (the kinds' sample values are below).
        /// </summary>
        [Fact]
        public void Every_registry_field_is_read_from_its_header_and_withheld_without_its_column()
        {
            var samples = new System.Collections.Generic.Dictionary<FieldKind, (object Cell, object Value)>
            {
                [FieldKind.Text] = (" 文本 ", "文本"),   // trimmed as every text cell
                [FieldKind.Mobile] = ("13800000001", "+86 13800000001"),
                [FieldKind.Email] = ("Someone@Example.com", "Someone@Example.com"),
                [FieldKind.Gender] = ("女", Gender.Female),
                [FieldKind.Enabled] = ("禁用", false),
            };
            var header = new System.Collections.Generic.List<string> { "账号" };
            var row = new System.Collections.Generic.Dictionary<string, object> { ["账号"] = "zhangsan" };
            foreach (var f in UserFieldRegistry.BuiltIn)
            {
                header.Add(f.Headers[0]);
                row[f.Headers[0]] = f.Name == nameof(User.Name) ? "张三" : f.Kind == FieldKind.Departments ? "公司/研发部" : samples[f.Kind].Cell;
            }
            var (users, problems, _) = Read(_files.Write("registry.xlsx", Sheet(header, row)));
            Assert.Empty(problems);
            var u = Assert.Single(users);
            foreach (var f in UserFieldRegistry.BuiltIn)
            {
                object expected = f.Name == nameof(User.Name) ? "张三" : f.Kind == FieldKind.Departments ? new[] { "公司/研发部" } : samples[f.Kind].Value;
                Assert.True(Equals(expected, f.Get(u)) || expected is string[] list && list.SequenceEqual((System.Collections.Generic.IEnumerable<string>)f.Get(u)),
                    $"{f.Name} ({f.Headers[0]}): expected {expected}, read {f.Get(u)}");
                Assert.DoesNotContain(f.Name, u.WithheldFields);
            }

            // Only the required columns and 邮箱: every other field is unknown and withheld, never empty.
            var minimal = new[] { "姓名", "账号", "部门", "邮箱" };
            var (only, _, _) = Read(_files.Write("registry-min.xlsx", Sheet(minimal, new System.Collections.Generic.Dictionary<string, object> { ["姓名"] = "张三", ["账号"] = "zhangsan", ["部门"] = "公司", ["邮箱"] = "z@example.com" })));
            foreach (var f in UserFieldRegistry.BuiltIn.Where(f => !minimal.Contains(f.Headers[0])))
            {
                Assert.Null(f.Get(only[0]));
                Assert.Contains(f.Name, only[0].WithheldFields);
            }
        }

        [Fact]
        public void Absent_columns_are_unknown_and_withheld_while_empty_cells_are_known_empty()
        {
            var (users, _, _) = Read(_files.Write("withheld.xlsx", Sheet(Member("张三", "zhangsan"))));
            var u = users[0];
            Assert.Null(u.BizMail); // the 14-column layout has no 企业邮箱
            Assert.Contains(nameof(User.BizMail), u.WithheldFields);
            Assert.Equal("", u.Alias); // column present, cell empty
            Assert.Equal("", u.Email);
            Assert.DoesNotContain(nameof(User.Alias), u.WithheldFields);

            var minimal = new[] { "姓名", "账号", "部门", "邮箱" };
            var (only, _, _) = Read(_files.Write("minimal.xlsx", Sheet(minimal, new System.Collections.Generic.Dictionary<string, object> { ["姓名"] = "赵六", ["账号"] = "zhaoliu", ["部门"] = "公司", ["邮箱"] = "z@example.com" })));
            var m = only[0];
            Assert.Null(m.Mobile);
            Assert.Null(m.Gender);
            Assert.Null(m.Status);
            Assert.Null(m.Enabled);
            Assert.Contains(nameof(User.Mobile), m.WithheldFields);
            Assert.Contains(nameof(User.Enabled), m.WithheldFields);
        }

        [Fact]
        public void Old_spellings_and_english_headers_map_to_the_same_fields()
        {
            var old = new[] { "姓名", "帐号", "部门", "手机", "个人邮箱" };
            var (a, pa, _) = Read(_files.Write("old.xlsx", Sheet(old, new System.Collections.Generic.Dictionary<string, object> { ["姓名"] = "张三", ["帐号"] = "zs", ["部门"] = "公司", ["个人邮箱"] = "zs@example.com" })));
            Assert.Empty(pa);
            Assert.Equal("zs", a[0].UserId);
            Assert.Equal("zs@example.com", a[0].Email);

            var english = new[] { "Name", "UserID", "Alias", "Position", "Department", "Gender", "Mobile", "Telephone", "Email", "Address", "Biz Mail" };
            var row = new System.Collections.Generic.Dictionary<string, object> { ["Name"] = "Ann", ["UserID"] = "ann", ["Department"] = "Corp/Sales", ["Gender"] = "女", ["Mobile"] = "+852 59001234", ["Biz Mail"] = "ann@corp.example.com" };
            var (b, pb, _) = Read(_files.Write("english.xlsx", Sheet(english, row)));
            Assert.Empty(pb);
            Assert.Equal("ann", b[0].UserId);
            Assert.Equal(Gender.Female, b[0].Gender);
            Assert.Equal("+852 59001234", b[0].Mobile);
            Assert.Equal("ann@corp.example.com", b[0].BizMail);
        }

        [Fact]
        public void Custom_columns_are_kept_in_extra_under_their_header()
        {
            var header = ExportTemplate.Header.Concat(new[] { "工号", "入职日期" }).ToList();
            var (users, _, _) = Read(_files.Write("custom.xlsx", Sheet(header, Member("张三", "zhangsan", more: new[] { ("工号", (object)"E0001"), ("视频号", "zs_video"), ("入职日期", "") }))));
            var extra = users[0].Extra;
            Assert.Equal("E0001", extra["工号"]);
            Assert.Equal("zs_video", extra["视频号"]);
            Assert.Equal("", extra["入职日期"]);
            Assert.False(extra.ContainsKey("姓名"));
        }

        [Fact]
        public void Blank_rows_are_skipped_and_rows_keep_their_excel_numbers()
        {
            var (users, problems, _) = Read(_files.Write("blank.xlsx", Sheet(Member("张三", "a1"), null, Member("李四", "a2"))));
            Assert.Empty(problems);
            Assert.Equal(2, users.Count);
            Assert.EndsWith("row 12", users[1].Origin);
        }

        [Fact]
        public void Reader_streams_the_first_user_before_reading_the_rest_of_a_large_file()
        {
            var sheet = MemberGenerator.Generate(new GeneratorOptions { Users = 20000, Seed = 7 });
            string path = _files.Write("stream.xlsx", sheet);
            var reader = new AddressBookReader(new AddressBookReadOptions());
            using (var e = reader.ReadUsers(path).GetEnumerator())
            {
                Assert.True(e.MoveNext());
                Assert.True(reader.Summary.RowsRead < 10, $"read {reader.Summary.RowsRead} rows before the first user");
            }
        }

        [Fact]
        public void Generated_export_reads_back_every_member_with_its_departments()
        {
            var options = new GeneratorOptions { Users = 500, Seed = 3, MultiDepartmentRate = 0.3, Separator = SeparatorStyle.Mixed };
            var (users, problems, _) = Read(_files.Write("generated.xlsx", MemberGenerator.Generate(options)));
            Assert.Empty(problems);
            Assert.Equal(500, users.Count);
            Assert.Contains(users, u => u.Departments.Count == 2);
            Assert.All(users, u => Assert.StartsWith("星河科技/", u.Departments[0]));
        }
    }
}
