using System;
using System.IO;
using System.Linq;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using WeComSync.AddressBook;
using WeComSync.ExportGenerator;
using Xunit;

namespace WeComSync.Tests.AddressBook
{
    /// <summary>Against the real empty export the console produced (its styles, merges and shared strings), not only our generator's.</summary>
    public class RealTemplateTests : IClassFixture<ExportFixture>
    {
        private static readonly string Template = Path.Combine(AppContext.BaseDirectory, "AddressBook", "Fixtures", "wecom-export-template.xlsx");
        private readonly ExportFixture _files;
        public RealTemplateTests(ExportFixture files) => _files = files;

        [Fact]
        public void Generator_template_matches_the_real_export_text_and_header()
        {
            using (var doc = SpreadsheetDocument.Open(Template, false))
            {
                var wb = doc.WorkbookPart;
                var sheet = wb.Workbook.Sheets.Elements<Sheet>().Single();
                Assert.Equal(ExportTemplate.SheetName, sheet.Name.Value);
                var sst = wb.SharedStringTablePart.SharedStringTable.Elements<SharedStringItem>().Select(i => i.InnerText).ToList();
                var rows = ((WorksheetPart)wb.GetPartById(sheet.Id)).Worksheet.Descendants<Row>().ToList();
                string Text(Cell c) => c.DataType?.Value == CellValues.SharedString ? sst[int.Parse(c.CellValue.Text)] : c.CellValue?.Text;
                Assert.Equal(ExportTemplate.Instructions, rows.Take(8).Select(r => Text(r.Elements<Cell>().First())));
                Assert.Equal(ExportTemplate.Header, rows[8].Elements<Cell>().Select(Text));
            }
        }

        [Fact]
        public void Members_added_to_the_real_export_are_read_from_row_10()
        {
            string path = _files.PathOf("real.xlsx");
            File.Copy(Template, path);
            using (var doc = SpreadsheetDocument.Open(path, true))
            {
                var part = doc.WorkbookPart.WorksheetParts.Single();
                var data = part.Worksheet.GetFirstChild<SheetData>();
                Row Member(uint r, params string[] values)
                {
                    var row = new Row { RowIndex = r };
                    for (int i = 0; i < values.Length; i++)
                        row.Append(new Cell { CellReference = ExportWriter.ColumnName(i) + r, DataType = CellValues.InlineString, InlineString = new InlineString(new Text(values[i])) });
                    return row;
                }
                data.Append(Member(10, "张三", "zhangsan", "", "工程师", "腾讯公司/微信事业群/广州研发部", "男", "13800000000", "", "zs@example.com", "", "", "已激活", "启用", "已关注"));
                data.Append(Member(11, "李四", "lisi", "", "", "腾讯公司/微信事业群；腾讯公司/互娱", "女", "+85259001234", "", "", "", "", "未激活", "启用", ""));
                part.Worksheet.GetFirstChild<SheetDimension>().Reference = "A1:N11";
                part.Worksheet.Save();
            }
            var (users, problems, _) = ExportFixture.Read(path);
            Assert.Empty(problems);
            Assert.Equal(new[] { "zhangsan", "lisi" }, users.Select(u => u.UserId));
            Assert.Equal("real.xlsx, sheet 成员列表, row 10", users[0].Origin);
            Assert.Equal("+852 59001234", users[1].Mobile);
            Assert.Equal(2, users[1].Departments.Count);
        }

        [Fact]
        public void The_empty_real_export_is_a_clear_no_members_error()
        {
            var ex = Assert.Throws<AddressBookException>(() => new AddressBookReader().ReadUsers(Template).ToList());
            Assert.Equal(ProblemCodes.NoMembers, ex.Problem.Code);
        }
    }
}
