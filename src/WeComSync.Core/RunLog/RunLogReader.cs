using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using WeComSync.Model;

namespace WeComSync.RunLog
{
    /// <summary>
    /// Reads run folders back: runs newest first, one run's steps, its results (streamed line by line), the failed
    /// objects, and one user's history across runs. Tolerates what a killed process leaves: a cut last line in
    /// results.jsonl, a summary that never got an end (reported as <see cref="RunStatus.Interrupted"/>), a folder with
    /// no summary at all.
    /// </summary>
    public static partial class RunLogReader
    {
        /// <summary>True when <paramref name="path"/> is a run folder itself rather than a folder of runs.</summary>
        public static bool IsRunFolder(string path) =>
            File.Exists(Path.Combine(path, RunLogFiles.Summary)) || File.Exists(Path.Combine(path, RunLogFiles.Results));

        /// <summary>
        /// Every run under <paramref name="path"/> (a log root, or one run folder), newest first.
        /// Throws <see cref="DirectoryNotFoundException"/> when the folder does not exist.
        /// </summary>
        public static IEnumerable<RunRecord> GetRuns(string path)
        {
            if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"The log folder '{path}' does not exist.");
            var folders = IsRunFolder(path) ? new[] { path } : Directory.GetDirectories(path).Where(IsRunFolder).ToArray();
            return folders.Select(ReadRun)
                .OrderByDescending(r => r.StartTime)
                .ThenByDescending(r => r.RunId, StringComparer.Ordinal)
                .ToList();
        }

        /// <summary>
        /// The run whose id is <paramref name="runId"/>: the full folder name, its short id, or a unique prefix of the
        /// folder name. Null when none matches; throws <see cref="ArgumentException"/> when several do.
        /// </summary>
        public static RunRecord FindRun(string path, string runId)
        {
            var runs = GetRuns(path).ToList();
            var exact = runs.Where(r => string.Equals(r.RunId, runId, StringComparison.OrdinalIgnoreCase)
                || string.Equals(r.ShortId, runId, StringComparison.OrdinalIgnoreCase)).ToList();
            if (exact.Count == 0) exact = runs.Where(r => r.RunId.StartsWith(runId, StringComparison.OrdinalIgnoreCase)).ToList();
            if (exact.Count > 1)
            {
                throw new ArgumentException($"'{runId}' matches {exact.Count} runs ({string.Join(", ", exact.Take(5).Select(r => r.RunId))}); give more of the run id.");
            }
            return exact.FirstOrDefault();
        }

        /// <summary>Reads one run folder: summary.json when present, its status corrected when the writer died.</summary>
        public static RunRecord ReadRun(string folder)
        {
            var record = TryReadSummary(folder) ?? FromFolderName(folder);
            record.Path = Path.GetFullPath(folder);
            foreach (var step in record.Steps) step.RunId = record.RunId;

            if (record.Status == RunStatus.Running && !WriterAlive(folder))
            {
                // The process died: recount the unfinished steps from the results it did flush.
                var counts = new Dictionary<string, int[]>(StringComparer.Ordinal);
                record.UnreadableLines = 0;
                foreach (var result in ReadResults(record, bad => record.UnreadableLines++))
                {
                    if (!counts.TryGetValue(result.Step ?? "", out var c)) counts[result.Step ?? ""] = c = new int[RunStep.CounterCount];
                    c[(int)RunStep.CounterFor(result.Outcome, result.Operation)]++;
                }
                foreach (var step in record.Steps.Where(s => s.Status == RunStatus.Running))
                {
                    step.Status = RunStatus.Interrupted;
                    if (counts.TryGetValue(step.Name, out var c))
                    {
                        step.Created = Math.Max(step.Created, c[(int)StepCounter.Created]);
                        step.Updated = Math.Max(step.Updated, c[(int)StepCounter.Updated]);
                        step.Suspended = Math.Max(step.Suspended, c[(int)StepCounter.Suspended]);
                        step.Deleted = Math.Max(step.Deleted, c[(int)StepCounter.Deleted]);
                        step.Failed = Math.Max(step.Failed, c[(int)StepCounter.Failed]);
                        step.Skipped = Math.Max(step.Skipped, c[(int)StepCounter.Skipped]);
                        step.Stale = Math.Max(step.Stale, c[(int)StepCounter.Stale]);
                        step.Unknown = Math.Max(step.Unknown, c[(int)StepCounter.Unknown]);
                        step.AlreadyApplied = Math.Max(step.AlreadyApplied, c[(int)StepCounter.AlreadyApplied]);
                    }
                }
                record.Status = RunStatus.Interrupted;
                record.Message = record.Message ?? "The run was interrupted (its process ended before it recorded an end); results up to that point are in results.jsonl.";
                record.SumSteps();
            }
            return record;
        }

        /// <summary>A run's results in the order they were written, read line by line. Lines that cannot be parsed (a cut last line) are skipped and passed to <paramref name="onUnreadable"/>.</summary>
        public static IEnumerable<ResultRecord> ReadResults(RunRecord run, Action<string> onUnreadable = null)
        {
            if (run?.Path == null) yield break;
            string file = Path.Combine(run.Path, RunLogFiles.Results);
            if (!File.Exists(file)) yield break;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var reader = new StreamReader(stream, Encoding.UTF8))
            {
                string line;
                while ((line = reader.ReadLine()) != null)
                {
                    if (line.Length == 0) continue;
                    var result = ParseResult(line, run);
                    if (result == null) onUnreadable?.Invoke(line);
                    else yield return result;
                }
            }
        }

        /// <summary>
        /// The plans a run wrote to plan.json, changes in plan order with what each plan was computed from; empty when the
        /// run wrote none or the file cannot be read. Values are as written (masked when the run masked personal data).
        /// </summary>
        public static IReadOnlyList<PlanRecord> ReadPlans(RunRecord run)
        {
            var plans = new List<PlanRecord>();
            string file = run?.Path == null ? null : Path.Combine(run.Path, RunLogFiles.Plan);
            if (file == null || !File.Exists(file)) return plans;
            JObject document;
            try
            {
                using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
                using (var reader = new JsonTextReader(new StreamReader(stream, Encoding.UTF8)) { DateParseHandling = DateParseHandling.DateTimeOffset })
                    document = JObject.Load(reader);
            }
            catch (JsonException) { return plans; }
            foreach (var plan in (document["plans"] as JArray ?? new JArray()).OfType<JObject>())
            {
                var context = (plan["context"] as JObject)?.ToObject<PlanContext>(RunLogFiles.Serializer);
                var changes = new List<Change>();
                foreach (var json in (plan["changes"] as JArray ?? new JArray()).OfType<JObject>())
                {
                    var change = ParseChange(json);
                    if (change == null) continue;
                    change.Plan = context;
                    changes.Add(change);
                }
                plans.Add(new PlanRecord { RunId = run.RunId, Name = (string)plan["name"], Context = context, Changes = changes });
            }
            return plans;
        }

        private static Change ParseChange(JObject json)
        {
            var operation = ParseEnum<ChangeOperation>((string)json["operation"]);
            var kind = ParseEnum<ObjectKind>((string)json["kind"]);
            if (operation == null || kind == null) return null;
            DirectoryObject Obj(JToken token) => !(token is JObject o) ? null
                : kind == ObjectKind.User ? (DirectoryObject)o.ToObject<User>(RunLogFiles.Serializer) : o.ToObject<Department>(RunLogFiles.Serializer);
            var change = new Change
            {
                Operation = operation.Value, Kind = kind.Value, Key = (string)json["key"], Reason = (string)json["reason"],
                Description = (string)json["description"], Sequence = (int?)json["sequence"] ?? 0,
                Desired = Obj(json["desired"]), Current = Obj(json["current"]),
            };
            foreach (var field in (json["fields"] as JArray ?? new JArray()).OfType<JObject>())
                change.Fields.Add(new FieldChange((string)field["field"], AsValue(field["old"]), AsValue(field["new"])));
            if (json["candidates"] is JArray candidates) change.Candidates = candidates.Select(Obj).Where(o => o != null).ToList();
            return change;
        }

        // A field value as the model holds it: lists (departments) stay lists, everything else is text.
        private static object AsValue(JToken token) =>
            token is JArray array ? array.Select(t => t.Type == JTokenType.String ? (string)t : t.ToString(Formatting.None)).ToList() : (object)AsText(token);

        /// <summary>The failed results of the given runs, newest run first.</summary>
        public static IEnumerable<ResultRecord> GetFailed(IEnumerable<RunRecord> runs) =>
            runs.SelectMany(run => ReadResults(run)).Where(r => r.Outcome == Outcome.Failed);

        /// <summary>
        /// What happened to one user across runs, newest run first (within a run, in the order applied). userids compare
        /// ignoring case, as WeCom does.
        /// </summary>
        public static IEnumerable<ResultRecord> GetUserHistory(IEnumerable<RunRecord> runs, string userId) =>
            runs.SelectMany(run => ReadResults(run))
                .Where(r => r.Kind != ObjectKind.Department && string.Equals(r.Key, userId, StringComparison.OrdinalIgnoreCase));

        internal static ResultRecord ParseResult(string line, RunRecord run)
        {
            JObject json;
            try
            {
                using (var reader = new JsonTextReader(new StringReader(line)) { DateParseHandling = DateParseHandling.None })
                {
                    json = JObject.Load(reader);
                    // Anything after the object means the line is damaged.
                    if (reader.Read()) return null;
                }
            }
            catch (JsonException)
            {
                return null;
            }
            var record = new ResultRecord
            {
                RunId = run.RunId,
                RunName = run.Name,
                Step = (string)json["step"],
                Time = ParseTime((string)json["time"]) ?? run.StartTime,
                Operation = ParseEnum<ChangeOperation>((string)json["operation"]),
                Kind = ParseEnum<ObjectKind>((string)json["kind"]),
                Key = (string)json["key"],
                Name = (string)json["name"],
                Outcome = ParseEnum<Outcome>((string)json["outcome"]) ?? Outcome.Skipped,
                NewId = (string)json["newId"],
                ErrorCode = (string)json["errorCode"],
                Error = (string)json["error"],
                Duration = TimeSpan.FromMilliseconds(json["durationMs"]?.Type == JTokenType.Float || json["durationMs"]?.Type == JTokenType.Integer ? (double)json["durationMs"] : 0),
                Reason = (string)json["reason"],
            };
            if (json["fields"] is JArray fields)
            {
                foreach (var field in fields.OfType<JObject>())
                {
                    record.Fields.Add(new FieldChange((string)field["field"], AsText(field["old"]), AsText(field["new"])));
                }
            }
            return record;
        }

        private static RunRecord TryReadSummary(string folder)
        {
            string file = Path.Combine(folder, RunLogFiles.Summary);
            if (!File.Exists(file)) return null;
            try
            {
                string text;
                using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
                using (var reader = new StreamReader(stream, Encoding.UTF8)) text = reader.ReadToEnd();
                var record = JsonConvert.DeserializeObject<RunRecord>(text, RunLogFiles.Settings);
                if (record == null || string.IsNullOrEmpty(record.RunId)) return null;
                record.Steps = record.Steps ?? new List<StepRecord>();
                record.Parameters = record.Parameters ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                return record;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        // A run folder whose summary is missing or unreadable still shows up, known by its name only.
        private static RunRecord FromFolderName(string folder)
        {
            string id = Path.GetFileName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
            var parts = id.Split('-');
            var record = new RunRecord { RunId = id, Status = RunStatus.Running, Name = id };
            if (parts.Length >= 4 && DateTime.TryParseExact(parts[0] + parts[1], "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var start))
            {
                record.StartTime = new DateTimeOffset(start);
                record.ShortId = parts[parts.Length - 1];
                record.Name = string.Join("-", parts.Skip(2).Take(parts.Length - 3));
            }
            else
            {
                record.StartTime = new DateTimeOffset(Directory.GetCreationTime(folder));
            }
            return record;
        }

        // A summary still "Running" is only believed when its writer is alive on this machine.
        private static bool WriterAlive(string folder)
        {
            string file = Path.Combine(folder, RunLogFiles.Summary);
            if (!File.Exists(file)) return false;
            try
            {
                var json = JObject.Parse(File.ReadAllText(file));
                if (!string.Equals((string)json["host"], Environment.MachineName, StringComparison.OrdinalIgnoreCase)) return false;
                int pid = (int?)json["processId"] ?? -1;
                if (pid <= 0) return false;
                var recorded = json["processStart"]?.Type == JTokenType.Date ? (DateTimeOffset?)json["processStart"].ToObject<DateTimeOffset>() : ParseTime((string)json["processStart"]);
                using (var process = System.Diagnostics.Process.GetProcessById(pid))
                {
                    if (recorded == null) return true;
                    return Math.Abs((new DateTimeOffset(process.StartTime) - recorded.Value).TotalSeconds) < 2;
                }
            }
            catch (ArgumentException) { return false; }      // no such process
            catch (InvalidOperationException) { return false; } // it exited meanwhile
            catch (JsonException) { return false; }
            catch (System.ComponentModel.Win32Exception) { return true; } // cannot inspect it: assume it is ours and alive
        }

        private static string AsText(JToken token)
        {
            if (token == null || token.Type == JTokenType.Null) return null;
            if (token is JArray array) return string.Join(", ", array.Select(t => t.Type == JTokenType.String ? (string)t : t.ToString(Formatting.None)));
            return token.Type == JTokenType.String ? (string)token : token.ToString(Formatting.None);
        }

        private static DateTimeOffset? ParseTime(string text) =>
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t) ? t : (DateTimeOffset?)null;

        private static T? ParseEnum<T>(string text) where T : struct =>
            text != null && Enum.TryParse<T>(text, true, out var value) ? value : (T?)null;
    }
}
