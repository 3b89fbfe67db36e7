using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using WeComSync.Apply;
using WeComSync.Model;

namespace WeComSync.RunLog
{
    /// <summary>One applied change as before.jsonl keeps it: the object before the run, what the run wrote, the id a create produced.</summary>
    public sealed class BeforeImage
    {
        public string Step { get; set; }
        public int Sequence { get; set; }
        public ChangeOperation Operation { get; set; }
        public ObjectKind Kind { get; set; }
        public string Key { get; set; }
        public Outcome Outcome { get; set; }

        /// <summary>The id the target gave a created object (Authing user id, department id); for other changes the id written to.</summary>
        public string NewId { get; set; }

        public string Reason { get; set; }

        /// <summary>The object as the target held it before the run (null for a create): every field the model keeps.</summary>
        public DirectoryObject Before { get; set; }

        /// <summary>What the run wanted it to be (null for a delete).</summary>
        public DirectoryObject After { get; set; }

        /// <summary>The fields the run wrote, old and new.</summary>
        public List<FieldChange> Fields { get; set; } = new List<FieldChange>();

        public override string ToString() => $"{Operation} {Kind} {Key} ({Outcome})";
    }

    /// <summary>A run's before-images and what each step wrote to.</summary>
    public sealed class BeforeImageSet
    {
        /// <summary>False when the run folder has no before.jsonl (a log written before undo existed, or the file was removed).</summary>
        public bool Exists { get; set; }

        public List<BeforeImage> Changes { get; } = new List<BeforeImage>();

        /// <summary>By step name: the service and organization it wrote to.</summary>
        public Dictionary<string, UndoTarget> Targets { get; } = new Dictionary<string, UndoTarget>(StringComparer.Ordinal);

        /// <summary>Lines that could not be read (a cut last line after a killed process).</summary>
        public int UnreadableLines { get; set; }

        /// <summary>Reads <see cref="RunLogFiles.Before"/> of a run folder; empty (<see cref="Exists"/> false) when there is none.</summary>
        public static BeforeImageSet Read(RunRecord run)
        {
            var set = new BeforeImageSet();
            string file = run?.Path == null ? null : Path.Combine(run.Path, RunLogFiles.Before);
            if (file == null || !File.Exists(file)) return set;
            set.Exists = true;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var reader = new StreamReader(stream, Encoding.UTF8))
            {
                string line;
                while ((line = reader.ReadLine()) != null)
                {
                    if (line.Length == 0) continue;
                    JObject json;
                    try
                    {
                        using (var jr = new JsonTextReader(new StringReader(line)) { DateParseHandling = DateParseHandling.None }) json = JObject.Load(jr);
                    }
                    catch (JsonException) { set.UnreadableLines++; continue; }
                    if ((string)json["type"] == "target")
                    {
                        var kind = Parse<ObjectKind>((string)json["kind"]);
                        set.Targets[(string)json["step"] ?? ""] = new UndoTarget
                        {
                            Service = (string)json["service"], Kind = kind ?? ObjectKind.User,
                            OrganizationCode = (string)json["organizationCode"], RootLinkId = (string)json["rootLinkId"],
                        };
                        continue;
                    }
                    var image = ParseChange(json);
                    if (image == null) set.UnreadableLines++;
                    else set.Changes.Add(image);
                }
            }
            return set;
        }

        private static BeforeImage ParseChange(JObject json)
        {
            var operation = Parse<ChangeOperation>((string)json["operation"]);
            var kind = Parse<ObjectKind>((string)json["kind"]);
            if (operation == null || kind == null) return null;
            DirectoryObject Obj(JToken token) => !(token is JObject o) ? null
                : kind == ObjectKind.User ? (DirectoryObject)o.ToObject<User>(RunLogFiles.Serializer) : o.ToObject<Department>(RunLogFiles.Serializer);
            var image = new BeforeImage
            {
                Step = (string)json["step"], Sequence = (int?)json["sequence"] ?? 0, Operation = operation.Value, Kind = kind.Value,
                Key = (string)json["key"], Outcome = Parse<Outcome>((string)json["outcome"]) ?? Outcome.Succeeded, NewId = (string)json["newId"],
                Reason = (string)json["reason"], Before = Obj(json["before"]), After = Obj(json["after"]),
            };
            foreach (var field in (json["fields"] as JArray ?? new JArray()).OfType<JObject>())
                image.Fields.Add(new FieldChange((string)field["field"], Value(field["old"]), Value(field["new"])));
            return image;
        }

        // A field value as the model holds it: lists stay lists, booleans and numbers keep their type, the rest is text.
        private static object Value(JToken token)
        {
            switch (token?.Type)
            {
                case null:
                case JTokenType.Null: return null;
                case JTokenType.Array: return token.Select(t => t.Type == JTokenType.String ? (string)t : t.ToString(Formatting.None)).ToList();
                case JTokenType.Boolean: return (bool)token;
                case JTokenType.Integer: return (int)(long)token;
                default: return (string)token;
            }
        }

        private static T? Parse<T>(string text) where T : struct => text != null && Enum.TryParse<T>(text, true, out var value) ? value : (T?)null;
    }
}
