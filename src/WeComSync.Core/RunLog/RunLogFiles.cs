using Newtonsoft.Json;
using Newtonsoft.Json.Converters;
using Newtonsoft.Json.Serialization;

namespace WeComSync.RunLog
{
    /// <summary>The files of a run folder and the JSON settings writer and reader share.</summary>
    public static class RunLogFiles
    {
        /// <summary>The changes the run planned, with what each plan was computed from.</summary>
        public const string Plan = "plan.json";

        /// <summary>One JSON line per applied change, flushed as it happens.</summary>
        public const string Results = "results.jsonl";

        /// <summary>
        /// What undo needs, a JSON line per change that was applied: the object's full state before the run (as the
        /// target held it), what the run wrote, the id a create produced, and per step what it wrote to. Never masked (an
        /// undo must write the real values back) and readable by the run's account only (docs/ARCHITECTURE.md §8).
        /// </summary>
        public const string Before = "before.jsonl";

        /// <summary>The run and its steps: status, times, counts. Rewritten whole (write, then rename) as the run goes.</summary>
        public const string Summary = "summary.json";

        internal static readonly JsonSerializerSettings Settings = new JsonSerializerSettings
        {
            ContractResolver = new DefaultContractResolver { NamingStrategy = new CamelCaseNamingStrategy() },
            Converters = { new StringEnumConverter() },
            NullValueHandling = NullValueHandling.Ignore,
            DateParseHandling = DateParseHandling.DateTimeOffset,
            DateFormatString = "yyyy-MM-dd'T'HH:mm:ss.fffzzz",
            ReferenceLoopHandling = ReferenceLoopHandling.Ignore,
        };

        internal static readonly JsonSerializer Serializer = JsonSerializer.Create(Settings);
    }
}
