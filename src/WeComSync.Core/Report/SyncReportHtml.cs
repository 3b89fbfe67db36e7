using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using Newtonsoft.Json;

namespace WeComSync.Report
{
    /// <summary>
    /// Writes a <see cref="SyncReport"/> as one self-contained HTML file: styles and script inline, nothing fetched from
    /// anywhere, so it opens offline and travels as an e-mail attachment. The summary, the count tables, the history chart
    /// (SVG) and the department tree are plain HTML, readable where scripts are blocked; the changes table is drawn by the
    /// inline script from the rows embedded as JSON, a page at a time, so 100 000 rows open and filter without delay.
    /// </summary>
    public static class SyncReportHtml
    {
        private static readonly Encoding Utf8 = new UTF8Encoding(false);

        public static void Write(SyncReport report, string path)
        {
            using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16))
            using (var writer = new StreamWriter(stream, Utf8, 1 << 16))
                Write(report, writer);
        }

        public static void Write(SyncReport report, TextWriter w)
        {
            if (report == null) throw new ArgumentNullException(nameof(report));
            w.Write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
            w.Write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
            w.Write("<meta name=\"generator\" content=\"WeComSync Export-WeComSyncReport\">\n");
            // Nothing may be loaded from elsewhere: the page works offline and leaks nothing when opened.
            w.Write("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n");
            w.Write($"<title>{H(report.Title)}</title>\n<style>\n{Resource("report.css")}</style>\n</head>\n");
            w.Write($"<body data-kind=\"{H(report.Kind)}\">\n<header>\n<h1>{H(report.Title)}</h1>\n");
            w.Write($"<p class=\"sub\">Written {H(SyncReportBuilder.Time(report.GeneratedAt))} · personal data {H(report.Masking)}</p>\n");
            w.Write("<nav><a href=\"#summary\">Summary</a>");
            if (report.History.Count > 1) w.Write("<a href=\"#history\">History</a>");
            w.Write("<a href=\"#changes\">Changes</a><a href=\"#departments\">Departments</a></nav>\n</header>\n");

            WriteSummary(report, w);
            if (report.History.Count > 1) WriteHistory(report.History, w);
            WriteChanges(report, w);
            WriteTree(report.Tree, w);

            w.Write("<script type=\"application/json\" id=\"report-data\">");
            WriteData(report, w);
            w.Write("</script>\n<script>\n");
            w.Write(Resource("report.js"));
            w.Write("</script>\n</body>\n</html>\n");
        }

        private static void WriteSummary(SyncReport report, TextWriter w)
        {
            w.Write("<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n");
            foreach (var section in report.Sections.Where(s => s.Lines.Count > 0))
            {
                w.Write($"<div class=\"card\"><h3>{H(section.Heading)}</h3><dl>");
                foreach (var line in section.Lines) w.Write($"<dt>{H(line.Key)}</dt><dd>{H(line.Value)}</dd>");
                w.Write("</dl></div>\n");
            }
            w.Write("</div>\n");
            foreach (var table in report.Tables)
            {
                w.Write($"<h3 style=\"margin-top:16px\">{H(table.Heading)}</h3>\n<table class=\"counts\"><thead><tr>");
                foreach (var c in table.Columns) w.Write($"<th>{H(c)}</th>");
                w.Write("</tr></thead><tbody>\n");
                foreach (var row in table.Rows)
                {
                    w.Write("<tr>");
                    for (int i = 0; i < row.Length; i++) w.Write(i == 0 ? $"<td class=\"{H(row[i])}\">{H(row[i])}</td>" : $"<td>{H(row[i])}</td>");
                    w.Write("</tr>\n");
                }
                w.Write("</tbody></table>\n");
            }
            w.Write("</section>\n");
        }

        private static readonly (string Name, string Color, Func<HistoryPoint, int> Value)[] Series =
        {
            ("created", "#1a7f37", p => p.Created),
            ("updated", "#0969da", p => p.Updated),
            ("suspended", "#8250df", p => p.Suspended),
            ("deleted", "#bc4c00", p => p.Deleted),
            ("failed", "#cf222e", p => p.Failed),
            ("stale", "#9a6700", p => p.Stale),
        };

        /// <summary>Stacked bars of created/updated/deleted/failed per run, oldest left; each bar's tooltip gives the numbers.</summary>
        private static void WriteHistory(IReadOnlyList<HistoryPoint> points, TextWriter w)
        {
            const int height = 220, top = 10, bottom = 60, left = 48, barGap = 6;
            int bar = Math.Max(8, Math.Min(40, 900 / Math.Max(1, points.Count) - barGap));
            int width = left + points.Count * (bar + barGap) + 60;   // room for the last slanted label
            int max = Math.Max(1, points.Max(p => Series.Sum(s => s.Value(p))));
            int plot = height - top - bottom;
            string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

            w.Write("<section id=\"history\">\n<h2>History</h2>\n<p class=\"legend\">");
            foreach (var s in Series) w.Write($"<span><i style=\"background:{s.Color}\"></i>{s.Name}</span>");
            w.Write($"</p>\n<div class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"Created, updated, deleted and failed per run\">\n");
            foreach (var tick in new[] { 0, max / 2, max }.Distinct())
            {
                double y = top + plot - plot * (double)tick / max;
                w.Write($"<line x1=\"{left - 4}\" x2=\"{width - 10}\" y1=\"{F(y)}\" y2=\"{F(y)}\" stroke=\"#d0d7de\"/><text x=\"{left - 8}\" y=\"{F(y + 4)}\" text-anchor=\"end\" fill=\"#656d76\">{tick}</text>\n");
            }
            int labelEvery = Math.Max(1, (int)Math.Ceiling(points.Count * 70.0 / (width - left)));
            for (int i = 0; i < points.Count; i++)
            {
                var p = points[i];
                double x = left + i * (bar + barGap), y = top + plot;
                string tip = $"{SyncReportBuilder.Time(p.Start)} {p.Name} ({p.Status}): " + string.Join(", ", Series.Select(s => $"{s.Value(p)} {s.Name}"));
                w.Write($"<g class=\"run\" data-run=\"{H(p.RunId)}\"><title>{H(tip)}</title>");
                foreach (var s in Series)
                {
                    int v = s.Value(p);
                    if (v == 0) continue;
                    double h = Math.Max(1, plot * (double)v / max);
                    y -= h;
                    w.Write($"<rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{bar}\" height=\"{F(h)}\" fill=\"{s.Color}\"/>");
                }
                if (i % labelEvery == 0)
                {
                    double lx = x + bar / 2.0, ly = top + plot + 12;
                    w.Write($"<text x=\"{F(lx)}\" y=\"{F(ly)}\" transform=\"rotate(35 {F(lx)} {F(ly)})\" fill=\"#656d76\">{H(p.Start.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture))}</text>");
                }
                w.Write("</g>\n");
            }
            w.Write("</svg></div>\n</section>\n");
        }

        private static void WriteChanges(SyncReport report, TextWriter w)
        {
            w.Write("<section id=\"changes\">\n<h2>Changes</h2>\n<div class=\"controls\">\n");
            w.Write("<input id=\"q\" type=\"search\" placeholder=\"Search userid, name, department, field, value, error…\" aria-label=\"Search\">\n");
            w.Write("<select id=\"op\" aria-label=\"Operation\"><option value=\"\">Every operation</option></select>\n");
            w.Write("<select id=\"kind\" aria-label=\"Kind\"><option value=\"\">Users and departments</option></select>\n");
            w.Write("<select id=\"outcome\" aria-label=\"Outcome\"><option value=\"\">Every outcome</option></select>\n");
            w.Write("<select id=\"run\" aria-label=\"Run\"><option value=\"\">Every run</option></select>\n");
            w.Write("<select id=\"size\" aria-label=\"Rows per page\"><option>100</option><option>500</option><option>1000</option></select>\n</div>\n");
            w.Write($"<p id=\"count\" data-total=\"{report.Rows.Count}\" data-matching=\"{report.Rows.Count}\">{report.Rows.Count} rows.</p>\n");
            w.Write("<noscript><p>The table of changes needs scripts, which are blocked here; the summary above and the department tree below are complete without them.</p></noscript>\n");
            w.Write("<table id=\"rows\"><thead><tr><th data-sort=\"0\">#</th>");
            if (report.RunNames.Count > 1) w.Write("<th data-sort=\"1\">Run</th>");
            if (report.Kind == "runs") w.Write("<th data-sort=\"2\">Step</th>");
            // The kind goes under the operation (one column less), so the table fits 1280 px with room for the error.
            w.Write("<th data-sort=\"3\" class=\"op\">Operation</th><th data-sort=\"5\" class=\"key\">Key</th><th data-sort=\"6\" class=\"name\">Name</th><th class=\"fields\">Changes (old → new)</th>");
            if (report.HasOutcomes) w.Write("<th data-sort=\"8\">Outcome</th>");
            w.Write("<th data-sort=\"9\">Code</th><th data-sort=\"10\" class=\"error\">Error / what to do</th></tr></thead><tbody></tbody></table>\n");
            w.Write("<div class=\"pager\"><button id=\"prev\" type=\"button\">« Previous</button><span id=\"page\"></span><button id=\"next\" type=\"button\">Next »</button></div>\n</section>\n");
        }

        private static void WriteTree(IReadOnlyList<BranchNode> roots, TextWriter w)
        {
            w.Write("<section id=\"departments\">\n<h2>Departments</h2>\n");
            if (roots.Count == 0)
            {
                w.Write("<p class=\"muted\">No department changes and no user changes in a known department.</p>\n</section>\n");
                return;
            }
            w.Write("<p class=\"muted\">Each department that changes, with its parents; user changes are counted in the departments the users belong to.</p>\n<ul class=\"tree\">\n");
            foreach (var root in roots) WriteNode(root, 0, w);
            w.Write("</ul>\n</section>\n");
        }

        private static void WriteNode(BranchNode node, int depth, TextWriter w)
        {
            w.Write($"<li data-path=\"{H(node.Path)}\"");
            if (node.Action != null) w.Write($" data-action=\"{H(node.Action)}\"");
            w.Write(">");
            bool branch = node.Children.Count > 0;
            // Open what matters: the top levels, and every branch with a department change in it.
            if (branch) w.Write(depth < 2 || node.Below.Count > 0 ? "<details open><summary>" : "<details><summary>");
            w.Write(H(node.Name));
            if (node.Action != null) w.Write($" <span class=\"badge {H(node.Action)}\">{H(node.Action)}</span>");
            if (node.Note != null) w.Write($" <span class=\"muted\">{H(node.Note)}</span>");
            if (node.Outcome != null && node.Outcome != "Succeeded") w.Write($" <span class=\"{H(node.Outcome)}\">{H(node.Outcome)}</span>");
            if (node.Users.Count > 0) w.Write($"<span class=\"tree-users\">users: {H(string.Join(", ", node.Users.Select(u => $"{u.Value} {UserVerb(u.Key)}")))}</span>");
            if (branch && (node.Below.Count > 0 || node.UsersInBranch > node.Users.Values.Sum()))
            {
                var below = node.Below.Select(b => $"{b.Value} {b.Key}").ToList();
                if (node.UsersInBranch > 0) below.Add($"{node.UsersInBranch} user change(s)");
                w.Write($"<span class=\"tree-below\">branch: {H(string.Join(", ", below))}</span>");
            }
            if (branch)
            {
                w.Write("</summary><ul>\n");
                foreach (var child in node.Children) WriteNode(child, depth + 1, w);
                w.Write("</ul></details>");
            }
            w.Write("</li>\n");
        }

        private static string UserVerb(string operation)
        {
            switch (operation)
            {
                case "Create": return "created";
                case "Update": return "updated";
                case "Delete": return "deleted";
                case "Move": return "moved";
                default: return operation.ToLowerInvariant();
            }
        }

        /// <summary>The rows as compact arrays (see report.js for the layout). HTML-escaped JSON: no "&lt;/script&gt;" can end the block early.</summary>
        private static void WriteData(SyncReport report, TextWriter w)
        {
            var json = new JsonTextWriter(w) { Formatting = Formatting.None, StringEscapeHandling = StringEscapeHandling.EscapeHtml, CloseOutput = false };
            json.WriteStartObject();
            json.WritePropertyName("kind"); json.WriteValue(report.Kind);
            json.WritePropertyName("hasOutcomes"); json.WriteValue(report.HasOutcomes);
            json.WritePropertyName("runs");
            json.WriteStartArray();
            foreach (var name in report.RunNames) json.WriteValue(name);
            json.WriteEndArray();
            json.WritePropertyName("rows");
            json.WriteStartArray();
            foreach (var row in report.Rows) WriteRow(row, json);
            json.WriteEndArray();
            json.WriteEndObject();
            json.Flush();
        }

        private static void WriteRow(ReportRow row, JsonWriter json)
        {
            json.WriteStartArray();
            json.WriteValue(row.Sequence);
            json.WriteValue(row.Run);
            json.WriteValue(row.Step);
            json.WriteValue(row.Operation);
            json.WriteValue(row.Kind);
            json.WriteValue(row.Key);
            json.WriteValue(row.Name);
            if (row.Fields.Count == 0) json.WriteNull();
            else
            {
                json.WriteStartArray();
                foreach (var f in row.Fields)
                {
                    json.WriteStartArray();
                    json.WriteValue(f.Field);
                    json.WriteValue(f.Old);
                    json.WriteValue(f.New);
                    json.WriteEndArray();
                }
                json.WriteEndArray();
            }
            json.WriteValue(row.Outcome);
            json.WriteValue(row.ErrorCode);
            json.WriteValue(row.Error);
            json.WriteValue(row.Reason);
            json.WriteValue(row.DurationMs);
            json.WriteEndArray();
        }

        private static string H(string text) => WebUtility.HtmlEncode(text ?? "");

        private static readonly Dictionary<string, string> Resources = new Dictionary<string, string>(StringComparer.Ordinal);

        private static string Resource(string name)
        {
            lock (Resources)
            {
                if (Resources.TryGetValue(name, out var text)) return text;
                using (var stream = typeof(SyncReportHtml).Assembly.GetManifestResourceStream("WeComSync.Report." + name)
                    ?? throw new InvalidOperationException($"The report resource {name} is missing from the build."))
                using (var reader = new StreamReader(stream, Encoding.UTF8))
                    return Resources[name] = reader.ReadToEnd();
            }
        }
    }
}
