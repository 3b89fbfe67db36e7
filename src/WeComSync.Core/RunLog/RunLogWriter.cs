using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using WeComSync.Http;
using WeComSync.Model;

namespace WeComSync.RunLog
{
    /// <summary>
    /// Writes one run's log folder, <c>&lt;logRoot&gt;/&lt;yyyyMMdd-HHmmss&gt;-&lt;name&gt;-&lt;shortid&gt;/</c>: plan.json, results.jsonl (a line
    /// per result, flushed at once so a killed process leaves what it did) and summary.json (the run and its steps).
    /// Everything written is redacted, and masked when <see cref="RunLogOptions.MaskPersonalData"/> is set.
    /// With no log root the run is kept in memory only: the same steps and counts, and the same summary returned.
    /// Thread safe: results may come from parallel workers.
    /// </summary>
    /// <example>
    /// <code>
    /// using (var run = RunLogWriter.Start(logRoot, "upstream", new RunLogOptions { MaskPersonalData = true }))
    /// {
    ///     var read = run.BeginStep("read Authing users"); read.Count(StepCounter.Read, users.Count); read.Complete();
    ///     run.WritePlan("users", changes);
    ///     var apply = run.BeginStep("users");
    ///     foreach (var result in Apply(changes)) apply.Record(result);
    ///     apply.Complete();
    ///     return run.Complete();   // the RunRecord summary; run.Fail(exception) in a catch
    /// }
    /// </code>
    /// </example>
    public sealed class RunLogWriter : IDisposable
    {
        private static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(10);
        private static readonly Encoding Utf8 = new UTF8Encoding(false);

        private readonly object _gate = new object();
        private readonly object _resultsGate = new object();
        private readonly List<RunStep> _steps = new List<RunStep>();
        private readonly Func<DateTimeOffset> _clock;
        private readonly LogSanitizer _sanitizer;
        private readonly Dictionary<string, string> _parameters;
        private StreamWriter _results;
        private StreamWriter _before;
        private readonly LogSanitizer _plain = new LogSanitizer(false);
        private readonly HashSet<string> _targetsWritten = new HashSet<string>(StringComparer.Ordinal);
        private DateTimeOffset _summaryWritten;

        private RunLogWriter(string logRoot, string name, RunLogOptions options)
        {
            options = options ?? new RunLogOptions();
            _clock = options.Clock ?? (() => DateTimeOffset.Now);
            _sanitizer = new LogSanitizer(options.MaskPersonalData);
            MaskPersonalData = options.MaskPersonalData;
            WhatIf = options.WhatIf;
            Undoes = options.Undoes;
            Name = string.IsNullOrWhiteSpace(name) ? "run" : name.Trim();
            StartTime = _clock();
            ShortId = Guid.NewGuid().ToString("N").Substring(0, 6);
            RunId = $"{StartTime:yyyyMMdd-HHmmss}-{SafeName(Name)}-{ShortId}";
            _parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (options.Parameters != null)
            {
                foreach (DictionaryEntry entry in options.Parameters)
                {
                    _parameters[Convert.ToString(entry.Key)] = _sanitizer.Text(FormatParameter(entry.Value));
                }
            }
            if (!string.IsNullOrEmpty(logRoot))
            {
                Path = System.IO.Path.Combine(System.IO.Path.GetFullPath(logRoot), RunId);
                Directory.CreateDirectory(Path);
                var stream = new FileStream(System.IO.Path.Combine(Path, RunLogFiles.Results), FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                _results = new StreamWriter(stream, Utf8);
                _before = new StreamWriter(OwnerOnly.Create(System.IO.Path.Combine(Path, RunLogFiles.Before)), Utf8);
                WriteSummary();
            }
        }

        /// <summary>Starts a run that keeps its log under <paramref name="logRoot"/> (created when missing); null keeps it in memory only.</summary>
        public static RunLogWriter Start(string logRoot, string runName) => Start(logRoot, runName, null);

        public static RunLogWriter Start(string logRoot, string runName, RunLogOptions options) => new RunLogWriter(logRoot, runName, options);

        public string RunId { get; }
        public string ShortId { get; }
        public string Name { get; }

        /// <summary>The run folder; null when the run is kept in memory only.</summary>
        public string Path { get; }

        public bool MaskPersonalData { get; }

        /// <summary>A dry run: recorded in the summary, so a reader never takes it for a real run with nothing to do.</summary>
        public bool WhatIf { get; }

        /// <summary>The run this one undoes; null for a forward run.</summary>
        public string Undoes { get; }

        public DateTimeOffset StartTime { get; }
        public DateTimeOffset? EndTime { get; private set; }
        public RunStatus Status { get; private set; } = RunStatus.Running;
        public string Message { get; private set; }

        public IReadOnlyList<RunStep> Steps { get { lock (_gate) return _steps.ToList(); } }

        /// <summary>Starts a step; steps are listed in the order they begin.</summary>
        public RunStep BeginStep(string name)
        {
            RunStep step;
            lock (_gate)
            {
                step = new RunStep(this, _sanitizer.Text(name) ?? "step", _steps.Count + 1, Now());
                _steps.Add(step);
            }
            WriteSummary();
            return step;
        }

        /// <summary>Adds a plan to plan.json, named after the kind of its changes ("User", "Department").</summary>
        public void WritePlan(IEnumerable<Change> changes)
        {
            var list = (changes ?? Enumerable.Empty<Change>()).Where(c => c != null).ToList();
            WritePlan(list.Count > 0 ? list[0].Kind.ToString() : "plan", list);
        }

        /// <summary>
        /// Adds a named plan (its changes in order and its PlanContext) to plan.json. A run kept in memory writes none.
        /// The plan is streamed to the file one change at a time, and the plans written before are copied over from the
        /// file, never held: a 100 000-change plan as one JSON tree took about 15 objects per change (some 1.5 GB at
        /// that size), for a file written once.
        /// </summary>
        public void WritePlan(string name, IEnumerable<Change> changes)
        {
            if (Path == null) return;
            var list = (changes ?? Enumerable.Empty<Change>()).Where(c => c != null).ToList();
            var context = list.Select(c => c.Plan).FirstOrDefault(p => p != null);
            lock (_gate)
            {
                string target = System.IO.Path.Combine(Path, RunLogFiles.Plan);
                string temp = target + ".tmp";
                using (var output = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    if (File.Exists(target) && CopyPlansBefore(target, output)) output.WriteByte((byte)',');
                    else WriteAscii(output, "{\"runId\":" + JsonConvert.ToString(RunId) + ",\"plans\":[");
                    using (var writer = new StreamWriter(output, Utf8, 64 * 1024, leaveOpen: true))
                    using (var jw = new JsonTextWriter(writer) { Formatting = Formatting.None, CloseOutput = false })
                    {
                        jw.WriteStartObject();
                        jw.WritePropertyName("name");
                        jw.WriteValue(_sanitizer.Field("name", name));
                        jw.WritePropertyName("context");
                        if (context == null) jw.WriteNull();
                        else _sanitizer.Apply(JObject.FromObject(context, RunLogFiles.Serializer)).WriteTo(jw);
                        jw.WritePropertyName("changes");
                        jw.WriteStartArray();
                        foreach (var change in list)
                        {
                            // One change's tree at a time: sanitized (masked, redacted) as a whole plan was, then dropped.
                            var json = JObject.FromObject(change, RunLogFiles.Serializer);
                            json.Remove("plan");
                            _sanitizer.Apply(json).WriteTo(jw);
                        }
                        jw.WriteEndArray();
                        jw.WriteEndObject();
                    }
                    WriteAscii(output, "]}");
                }
                Replace(temp, target);
            }
        }

        /// <summary>Copies plan.json without its closing "]}" (the file is ours, written compact); false when it does not end so.</summary>
        private static bool CopyPlansBefore(string file, Stream output)
        {
            using (var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                long keep = input.Length - 2;
                if (keep <= 0) return false;
                input.Position = keep;
                if (input.ReadByte() != ']' || input.ReadByte() != '}') return false;
                input.Position = 0;
                var buffer = new byte[81920];
                for (long left = keep; left > 0;)
                {
                    int n = input.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                    if (n <= 0) return false;
                    output.Write(buffer, 0, n);
                    left -= n;
                }
                return true;
            }
        }

        private static void WriteAscii(Stream output, string text)
        {
            var bytes = Encoding.ASCII.GetBytes(text);
            output.Write(bytes, 0, bytes.Length);
        }

        /// <summary>Writes a result that belongs to no step.</summary>
        public void WriteResult(Result result) => WriteResult(result, null);

        /// <summary>Writes one line to results.jsonl and flushes it. Does not count it: <see cref="RunStep.Record"/> writes and counts.</summary>
        public void WriteResult(Result result, string step)
        {
            if (result == null || _results == null) return;
            var change = result.Change;
            var line = new JObject
            {
                ["time"] = Now().ToString(RunLogFiles.Settings.DateFormatString, System.Globalization.CultureInfo.InvariantCulture),
                ["step"] = step,
                ["operation"] = change?.Operation.ToString(),
                ["kind"] = change?.Kind.ToString(),
                ["key"] = change?.Key,
                ["name"] = DisplayName(change),
                ["outcome"] = result.Outcome.ToString(),
                ["newId"] = result.NewId,
                ["errorCode"] = result.ErrorCode,
                ["error"] = result.Error,
                ["durationMs"] = Math.Round(result.Duration.TotalMilliseconds, 1),
                ["reason"] = change?.Reason,
            };
            if (change?.Fields != null && change.Fields.Count > 0)
            {
                line["fields"] = new JArray(change.Fields.Where(f => f != null).Select(f => new JObject
                {
                    ["field"] = f.Field,
                    ["old"] = f.Old == null ? JValue.CreateNull() : JToken.FromObject(f.Old, RunLogFiles.Serializer),
                    ["new"] = f.New == null ? JValue.CreateNull() : JToken.FromObject(f.New, RunLogFiles.Serializer),
                }));
            }
            foreach (var empty in line.Properties().Where(p => p.Value is JValue v && v.Value == null).ToList()) empty.Remove();
            string text = _sanitizer.Apply(line).ToString(Formatting.None);
            string before = Undoable(result) ? BeforeLine(result, step) : null;
            bool refresh;
            lock (_resultsGate)
            {
                if (_results == null) return;
                _results.Write(text);
                _results.Write('\n');
                _results.Flush();
                if (before != null && _before != null)
                {
                    _before.Write(before);
                    _before.Write('\n');
                    _before.Flush();
                }
                refresh = Now() - _summaryWritten > SummaryInterval;
            }
            // Keep the summary's counts fresh on long steps, so a killed run still shows how far it got.
            if (refresh) WriteSummary();
        }

        /// <summary>
        /// A change undo can reverse: applied (or perhaps applied: sent when the run was stopped), or a create that failed
        /// after the object was made (its departments could not be set), which leaves the object behind.
        /// </summary>
        private static bool Undoable(Result result) => result.Change != null && result.Change.Operation != ChangeOperation.Conflict &&
            (result.Outcome == Outcome.Succeeded || result.Outcome == Outcome.Unknown || result.Outcome == Outcome.Failed && result.NewId != null && result.Change.Operation == ChangeOperation.Create);

        /// <summary>The before-image line of one result: redacted (no secret is ever written), never masked.</summary>
        private string BeforeLine(Result result, string step)
        {
            var change = result.Change;
            var line = new JObject
            {
                ["type"] = "change",
                ["time"] = Now().ToString(RunLogFiles.Settings.DateFormatString, System.Globalization.CultureInfo.InvariantCulture),
                ["step"] = step,
                ["sequence"] = change.Sequence,
                ["operation"] = change.Operation.ToString(),
                ["kind"] = change.Kind.ToString(),
                ["key"] = change.Key,
                ["outcome"] = result.Outcome.ToString(),
                ["newId"] = result.NewId,
                ["reason"] = change.Reason,
                ["before"] = change.Current == null ? null : JObject.FromObject(change.Current, RunLogFiles.Serializer),
                ["after"] = change.Desired == null ? null : JObject.FromObject(change.Desired, RunLogFiles.Serializer),
            };
            if (change.Fields != null && change.Fields.Count > 0)
            {
                line["fields"] = new JArray(change.Fields.Where(f => f != null).Select(f => new JObject
                {
                    ["field"] = f.Field,
                    ["old"] = f.Old == null ? JValue.CreateNull() : JToken.FromObject(f.Old, RunLogFiles.Serializer),
                    ["new"] = f.New == null ? JValue.CreateNull() : JToken.FromObject(f.New, RunLogFiles.Serializer),
                }));
            }
            foreach (var empty in line.Properties().Where(p => p.Value == null || p.Value is JValue v && v.Value == null).ToList()) empty.Remove();
            return _plain.Apply(line).ToString(Formatting.None);
        }

        /// <summary>
        /// Records what a step writes to (once per step, before its results), so an undo builds the same applier. An
        /// applier that says nothing of it (a test's fake) leaves nothing to record.
        /// </summary>
        public void WriteUndoTarget(string step, Apply.UndoTarget target)
        {
            if (target == null || _before == null) return;
            var line = new JObject
            {
                ["type"] = "target",
                ["step"] = step,
                ["service"] = target.Service,
                ["kind"] = target.Kind.ToString(),
                ["organizationCode"] = target.OrganizationCode,
                ["rootLinkId"] = target.RootLinkId,
            };
            foreach (var empty in line.Properties().Where(p => p.Value is JValue v && v.Value == null).ToList()) empty.Remove();
            string text = _plain.Apply(line).ToString(Formatting.None);
            lock (_resultsGate)
            {
                if (_before == null || !_targetsWritten.Add(step ?? "")) return;
                _before.Write(text);
                _before.Write('\n');
                _before.Flush();
            }
        }

        /// <summary>Ends the run with a status from its steps (steps still running are completed from their counts). Returns the summary.</summary>
        public RunRecord Complete() => Complete(RunStatus.Running, null);

        /// <summary>Ends the run. <see cref="RunStatus.Running"/> means "judge from the steps". A second call changes nothing.</summary>
        public RunRecord Complete(RunStatus status, string message)
        {
            lock (_gate)
            {
                if (Status != RunStatus.Running) return ToRecord();
            }
            foreach (var step in Steps.Where(s => !s.IsCompleted))
            {
                if (status == RunStatus.Failed || status == RunStatus.Stopped || status == RunStatus.Interrupted) step.Complete(status, message);
                else step.Complete();
            }
            lock (_gate)
            {
                Status = status == RunStatus.Running ? StatusFromSteps() : status;
                Message = CleanText(message);
                EndTime = Now();
            }
            WriteSummary();
            return ToRecord();
        }

        /// <summary>Records an exception that ended the run: the running steps and the run become Failed with its (redacted) message.</summary>
        public RunRecord Fail(Exception exception) => Complete(RunStatus.Failed, exception?.Message ?? "The run failed.");

        public RunRecord Fail(string message) => Complete(RunStatus.Failed, message);

        /// <summary>Records a deliberate stop (a delete guard, Ctrl+C): the running steps and the run become Stopped.</summary>
        public RunRecord Stop(string message) => Complete(RunStatus.Stopped, message);

        /// <summary>What an interrupted run says.</summary>
        public const string InterruptedMessage = "Interrupted (Ctrl+C or a stopped pipeline) before the end; the counts are what was written, and Unknown counts the changes sent whose answer was not awaited (applied or not: the next run finds out).";

        /// <summary>Records an interruption (Ctrl+C, a stopped pipeline): the running steps and the run become Interrupted.</summary>
        public RunRecord Interrupt(string message) => Complete(RunStatus.Interrupted, message);

        /// <summary>The run as it stands: what the sync commands return and Get-WeComSyncLog later reads back.</summary>
        public RunRecord ToRecord()
        {
            lock (_gate)
            {
                var record = new RunRecord
                {
                    RunId = RunId,
                    ShortId = ShortId,
                    Name = Name,
                    Path = Path,
                    Status = Status,
                    StartTime = StartTime,
                    EndTime = EndTime,
                    Message = Message,
                    MaskPersonalData = MaskPersonalData,
                    WhatIf = WhatIf,
                    Undoes = Undoes,
                    Host = Environment.MachineName,
                    User = RunAccount,
                    Parameters = new Dictionary<string, string>(_parameters, StringComparer.OrdinalIgnoreCase),
                    Steps = _steps.Select(s => s.ToRecord(RunId)).ToList(),
                };
                record.SumSteps();
                return record;
            }
        }

        /// <summary>Closes the files. A run not completed by then (its script was stopped) is recorded as Interrupted.</summary>
        public void Dispose()
        {
            if (Status == RunStatus.Running) Interrupt(InterruptedMessage);
            lock (_resultsGate)
            {
                _results?.Dispose();
                _results = null;
                _before?.Dispose();
                _before = null;
            }
        }

        internal DateTimeOffset Now() => _clock();

        private static readonly string RunAccount = string.IsNullOrEmpty(Environment.UserDomainName) || Environment.UserDomainName == Environment.MachineName
            ? Environment.UserName : Environment.UserDomainName + "\\" + Environment.UserName;

        internal string CleanText(string text) => _sanitizer.Text(text);

        internal void StepChanged() => WriteSummary();

        private RunStatus StatusFromSteps()
        {
            var steps = _steps;
            if (steps.Any(s => s.Status == RunStatus.Stopped)) return RunStatus.Stopped;
            bool anyFailed = steps.Any(s => s.Status == RunStatus.Failed || s.Status == RunStatus.PartiallyFailed || s.Failed > 0);
            if (!anyFailed) return RunStatus.Succeeded;
            return steps.All(s => s.Status == RunStatus.Failed || s.Status == RunStatus.Skipped) ? RunStatus.Failed : RunStatus.PartiallyFailed;
        }

        private void WriteSummary()
        {
            if (Path == null) return;
            lock (_gate)
            {
                var record = ToRecord();
                var json = JObject.FromObject(record, RunLogFiles.Serializer);
                // Derived values are for readers of the object, not the file; the reader recomputes them.
                foreach (var derived in new[] { "duration", "failedCount", "exitCode", "path", "unreadableLines" }) json.Remove(derived);
                foreach (JObject step in (JArray)json["steps"]) { step.Remove("duration"); step.Remove("runId"); }
                json["processId"] = Process.Id;
                json["processStart"] = Process.Start;
                _summaryWritten = Now();
                WriteAtomic(RunLogFiles.Summary, json, Formatting.Indented);
            }
        }

        // Write then rename, so a reader (or a killed process) never sees half a summary or plan.
        private void WriteAtomic(string file, JToken json, Formatting formatting)
        {
            string target = System.IO.Path.Combine(Path, file);
            string temp = target + ".tmp";
            using (var writer = new StreamWriter(temp, false, Utf8))
            using (var jw = new JsonTextWriter(writer) { Formatting = formatting })
            {
                json.WriteTo(jw);
            }
            Replace(temp, target);
        }

        private static void Replace(string temp, string target)
        {
            try
            {
                if (File.Exists(target)) File.Replace(temp, target, null);
                else File.Move(temp, target);
            }
            catch (IOException)
            {
                // A reader holding the file open on Windows: fall back to overwriting in place.
                File.Copy(temp, target, true);
                File.Delete(temp);
            }
        }

        private static string DisplayName(Change change)
        {
            var obj = change?.Desired ?? change?.Current;
            switch (obj)
            {
                case User user: return user.Name;
                case Department department: return department.Path ?? department.Name;
                default: return null;
            }
        }

        private static string FormatParameter(object value)
        {
            if (value == null) return null;
            if (value is string s) return s;
            if (value is IEnumerable items) return string.Join(",", items.Cast<object>().Select(Convert.ToString));
            return Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
        }

        private static string SafeName(string name)
        {
            var invalid = System.IO.Path.GetInvalidFileNameChars();
            var chars = name.Select(c => invalid.Contains(c) || char.IsWhiteSpace(c) ? '-' : c).ToArray();
            return new string(chars);
        }

        /// <summary>Who is writing: lets a reader tell a run still in progress from one whose process died.</summary>
        internal static class Process
        {
            public static readonly int Id;
            public static readonly DateTimeOffset Start;

            static Process()
            {
                using (var current = System.Diagnostics.Process.GetCurrentProcess())
                {
                    Id = current.Id;
                    Start = current.StartTime;
                }
            }
        }
    }
}
