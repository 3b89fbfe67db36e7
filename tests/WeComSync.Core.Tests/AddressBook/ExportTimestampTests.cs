using System;
using System.IO;
using System.IO.Compression;
using WeComSync.AddressBook;
using WeComSync.ExportGenerator;
using Xunit;
using static WeComSync.ExportGenerator.HandEditedExport;

namespace WeComSync.Tests.AddressBook
{
    /// <summary>How old an export is by its own timestamp, against the upstream cadence (every two days).</summary>
    public class ExportTimestampTests : IClassFixture<ExportFixture>
    {
        private readonly ExportFixture _files;
        public ExportTimestampTests(ExportFixture files) => _files = files;

        [Fact]
        public void Real_console_export_is_dated_by_core_xml_created_which_an_Excel_resave_keeps()
        {
            // The real template: created 2026-01-10T19:57:00Z by the console (ExcelJS), modified 20:29:16Z by Excel.
            string path = _files.PathOf("t-real.xlsx");
            HandEditedExport.Write(path, new HandSheet { Rows = { Member(10, "张三", "zs") } });
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
            var stamp = ExportTimestamp.Read(path);
            Assert.Equal("docProps/core.xml created", stamp.From);
            Assert.Equal(new DateTimeOffset(2026, 1, 10, 19, 57, 0, TimeSpan.Zero), stamp.At);
        }

        [Fact]
        public void Xlsx_with_only_a_modified_stamp_is_dated_by_it()
        {
            string path = _files.PathOf("t-modified.xlsx");
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
            using (var w = new StreamWriter(zip.CreateEntry("docProps/core.xml").Open()))
                w.Write("<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dcterms=\"http://purl.org/dc/terms/\">" +
                        "<dcterms:modified>2026-03-01T08:00:00Z</dcterms:modified></cp:coreProperties>");
            var stamp = ExportTimestamp.Read(path);
            Assert.Equal("docProps/core.xml modified", stamp.From);
            Assert.Equal(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero), stamp.At);
        }

        [Fact]
        public void Csv_is_dated_by_its_last_write_time()
        {
            string path = _files.PathOf("t.csv");
            File.WriteAllText(path, "姓名,账号,部门\n张三,zs,腾讯公司\n");
            var written = new DateTime(2026, 5, 1, 12, 0, 0, DateTimeKind.Utc);
            File.SetLastWriteTimeUtc(path, written);
            var stamp = ExportTimestamp.Read(path);
            Assert.Equal("the file's last write time", stamp.From);
            Assert.Equal(new DateTimeOffset(written), stamp.At);
        }

        [Fact]
        public void File_older_than_two_days_gets_a_warning_naming_it_its_age_and_the_cadence()
        {
            string path = _files.PathOf("t-old.csv");
            File.WriteAllText(path, "x");
            File.SetLastWriteTimeUtc(path, new DateTime(2026, 5, 1, 12, 0, 0, DateTimeKind.Utc));
            var w = ExportTimestamp.StaleWarning(path, ExportTimestamp.RecommendedCadence, new DateTimeOffset(2026, 5, 6, 13, 0, 0, TimeSpan.Zero));
            Assert.Equal("t-old.csv is 5 days old (the file's last write time: 2026-05-01 12:00 UTC), older than the recommended cadence of every 2 days: " +
                         "members who joined, left or moved since are not in it. Export the address book again from the WeCom admin console for a current file.", w);
        }

        [Fact]
        public void Fresh_file_or_a_zero_MaxAge_gives_no_warning()
        {
            string path = _files.PathOf("t-fresh.csv");
            File.WriteAllText(path, "x");
            Assert.Null(ExportTimestamp.StaleWarning(path, ExportTimestamp.RecommendedCadence, DateTimeOffset.Now));
            Assert.Null(ExportTimestamp.StaleWarning(path, TimeSpan.Zero, DateTimeOffset.Now.AddYears(1)));
            Assert.Null(ExportTimestamp.StaleWarning(_files.PathOf("missing.csv"), ExportTimestamp.RecommendedCadence, DateTimeOffset.Now));
        }
    }
}
