using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using WeComSync.Model;

namespace WeComSync.RunLog
{
    /// <summary>
    /// An object a run left for a person (a conflict: a duplicate 账号, an ambiguous match): never applied, in a dry run
    /// and a real one alike. What the step's "N user(s) need a human" names, one record each, from the run's plan.json.
    /// </summary>
    public sealed class NeedHumanRecord
    {
        public string RunId { get; set; }

        /// <summary>The step whose plan holds it ("departments", "users", "delete users" …).</summary>
        public string Step { get; set; }

        public ObjectKind Kind { get; set; }

        /// <summary>The userid (账号), or the department's key.</summary>
        public string Key { get; set; }

        /// <summary>The user's name, or the department's path, when known (as written: masked when the run masked personal data).</summary>
        public string Name { get; set; }

        /// <summary>Why it needs a human: the comparison's reason.</summary>
        public string Reason { get; set; }

        /// <summary>The objects it could be (an ambiguous match), by key and name; empty when there is no choice to make.</summary>
        public List<string> Candidates { get; set; } = new List<string>();

        /// <summary>The run was a dry run (-WhatIf).</summary>
        public bool WhatIf { get; set; }

        public override string ToString() => string.IsNullOrEmpty(Name) || Name == Key ? $"{Key}: {Reason}" : $"{Key} ({Name}): {Reason}";

        internal static NeedHumanRecord Of(Change change, string runId, string step, bool whatIf) => new NeedHumanRecord
        {
            RunId = runId,
            Step = step,
            Kind = change.Kind,
            Key = change.Key,
            Name = NameOf(change.Desired ?? change.Current),
            Reason = change.Reason ?? "ambiguous",
            Candidates = (change.Candidates ?? new List<DirectoryObject>()).Where(c => c != null).Select(c => Described(c)).ToList(),
            WhatIf = whatIf,
        };

        private static string NameOf(DirectoryObject o)
        {
            switch (o)
            {
                case User user: return user.Name;
                case Department department: return department.Path ?? department.Name;
                default: return null;
            }
        }

        private static string Described(DirectoryObject o)
        {
            string key = o is User u ? (u.UserId ?? u.Username ?? u.SourceId) : (o as Department)?.Key;
            string name = NameOf(o);
            return string.IsNullOrEmpty(name) || name == key ? key : $"{key} ({name})";
        }
    }

    public static partial class RunLogReader
    {
        /// <summary>
        /// The objects a run left for a person: the conflicts of every plan it wrote, in plan order. plan.json is read
        /// one change at a time and only the conflicts are kept (a 100 000-change plan is never one tree in memory).
        /// Empty when the run wrote no plan (kept in memory, or stopped before planning) or plan.json cannot be read.
        /// </summary>
        public static IReadOnlyList<NeedHumanRecord> GetNeedHuman(RunRecord run)
        {
            var found = new List<NeedHumanRecord>();
            string file = run?.Path == null ? null : Path.Combine(run.Path, RunLogFiles.Plan);
            if (file == null || !File.Exists(file)) return found;
            try
            {
                using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
                using (var reader = new JsonTextReader(new StreamReader(stream, Encoding.UTF8)) { DateParseHandling = DateParseHandling.DateTimeOffset })
                {
                    string step = null;
                    while (reader.Read())
                    {
                        // A plan object is {"name":…, "context":…, "changes":[…]}, at depth 2 under {"plans":[…]}.
                        if (reader.TokenType != JsonToken.PropertyName || reader.Depth != 3) continue;
                        string property = (string)reader.Value;
                        if (property == "name") step = reader.ReadAsString();
                        else if (property == "changes") ReadConflicts(reader, run, step, found);
                        else reader.Skip();
                    }
                }
            }
            catch (JsonException) { /* a damaged plan.json: what was read */ }
            catch (IOException) { }
            return found;
        }

        private static void ReadConflicts(JsonReader reader, RunRecord run, string step, List<NeedHumanRecord> found)
        {
            if (!reader.Read() || reader.TokenType != JsonToken.StartArray) return;
            while (reader.Read() && reader.TokenType != JsonToken.EndArray)
            {
                if (reader.TokenType != JsonToken.StartObject) { reader.Skip(); continue; }
                var json = JObject.Load(reader);
                if (!string.Equals((string)json["operation"], nameof(ChangeOperation.Conflict), StringComparison.OrdinalIgnoreCase)) continue;
                var change = ParseChange(json);
                if (change != null) found.Add(NeedHumanRecord.Of(change, run.RunId, step, run.WhatIf));
            }
        }
    }
}
