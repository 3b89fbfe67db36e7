using System;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Xml;

namespace WeComSync.AddressBook
{
    /// <summary>
    /// When an export was made, by the file's own timestamp, so that a run can say the file is older than the
    /// recommended cadence (upstream: every two days). An .xlsx says it in docProps/core.xml: <c>dcterms:created</c>
    /// is when the console wrote the export (the console's file is written by ExcelJS, which stamps it; Excel keeps
    /// it on a re-save and moves only <c>dcterms:modified</c>, so a re-saved old export still reads as old), else
    /// <c>dcterms:modified</c>. An .xls or .csv carries no such stamp that is read here: the file's last write time
    /// (a copy keeps it on most systems; a download may reset it, which makes the file look newer, never older).
    /// </summary>
    public sealed class ExportTimestamp
    {
        /// <summary>The seed's cadence for the upstream run: every two days.</summary>
        public static readonly TimeSpan RecommendedCadence = TimeSpan.FromDays(2);

        private ExportTimestamp(DateTimeOffset at, string from) { At = at; From = from; }

        public DateTimeOffset At { get; }

        /// <summary>Where the time was read: "docProps/core.xml created", "docProps/core.xml modified" or "the file's last write time".</summary>
        public string From { get; }

        /// <summary>The file's timestamp; null when the file cannot be read (the reader reports that itself).</summary>
        public static ExportTimestamp Read(string path)
        {
            if (string.IsNullOrEmpty(path) || !File.Exists(path)) return null;
            try
            {
                var inner = CoreProperties(path);
                return inner ?? new ExportTimestamp(new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero), "the file's last write time");
            }
            catch (IOException) { return null; }
            catch (UnauthorizedAccessException) { return null; }
        }

        /// <summary>
        /// The warning for a file older than <paramref name="maxAge"/> at <paramref name="now"/>; null when it is not,
        /// when <paramref name="maxAge"/> is zero or less (no check), or when the file has no readable timestamp.
        /// </summary>
        public static string StaleWarning(string path, TimeSpan maxAge, DateTimeOffset now)
        {
            if (maxAge <= TimeSpan.Zero) return null;
            var stamp = Read(path);
            if (stamp == null) return null;
            var age = now - stamp.At;
            if (age <= maxAge) return null;
            return $"{Path.GetFileName(path)} is {Days(age)} old ({stamp.From}: {stamp.At.ToUniversalTime():yyyy-MM-dd HH:mm} UTC), " +
                   (maxAge == RecommendedCadence ? $"older than the recommended cadence of every {Days(maxAge)}" : $"older than the age allowed ({Days(maxAge)})") +
                   ": members who joined, left or moved since are not in it. " +
                   "Export the address book again from the WeCom admin console for a current file.";
        }

        private static string Days(TimeSpan t)
        {
            double days = t.TotalDays;
            if (days >= 1) return Math.Floor(days).ToString(CultureInfo.InvariantCulture) + (Math.Floor(days) == 1 ? " day" : " days");
            return Math.Floor(t.TotalHours).ToString(CultureInfo.InvariantCulture) + " hours";
        }

        private static ExportTimestamp CoreProperties(string path)
        {
            // Only a zip package has docProps/core.xml; an .xls, .csv or text file falls through to the write time.
            using (var stream = File.OpenRead(path))
            {
                var magic = new byte[4];
                if (stream.Read(magic, 0, 4) != 4 || magic[0] != 'P' || magic[1] != 'K' || magic[2] != 3 || magic[3] != 4) return null;
                stream.Position = 0;
                ZipArchive zip;
                try { zip = new ZipArchive(stream, ZipArchiveMode.Read); }
                catch (InvalidDataException) { return null; }
                using (zip)
                {
                    var entry = zip.GetEntry("docProps/core.xml");
                    // A tiny part; anything large is not a real core.xml and is not read.
                    if (entry == null || entry.Length > 64 * 1024) return null;
                    string created = null, modified = null;
                    try
                    {
                        using (var reader = XmlReader.Create(entry.Open(), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null }))
                        {
                            reader.Read();
                            while (!reader.EOF)
                            {
                                // ReadElementContentAsString moves past the element: the next one is then read without another Read().
                                bool dcterms = reader.NodeType == XmlNodeType.Element && reader.NamespaceURI == "http://purl.org/dc/terms/";
                                if (dcterms && reader.LocalName == "created") created = reader.ReadElementContentAsString();
                                else if (dcterms && reader.LocalName == "modified") modified = reader.ReadElementContentAsString();
                                else reader.Read();
                            }
                        }
                    }
                    catch (XmlException) { return null; }
                    if (TryParse(created, out var c)) return new ExportTimestamp(c, "docProps/core.xml created");
                    if (TryParse(modified, out var m)) return new ExportTimestamp(m, "docProps/core.xml modified");
                    return null;
                }
            }
        }

        private static bool TryParse(string text, out DateTimeOffset value) =>
            DateTimeOffset.TryParse(text?.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }
}
