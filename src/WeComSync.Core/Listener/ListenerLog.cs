using System;
using System.IO;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using WeComSync.Http;

namespace WeComSync.Listener
{
    /// <summary>
    /// The listener's own log, <c>listener-&lt;yyyyMMdd-HHmmss&gt;.jsonl</c> in the log folder beside the batches' run
    /// folders: a line per event taken, request refused (its reason only), duplicate, echo dropped, delete held, batch
    /// run. Never a payload or a secret: only the service's event name, the object's key and a reason.
    /// </summary>
    public sealed class ListenerLog : IDisposable
    {
        public static readonly ListenerLog None = new ListenerLog(null);

        private readonly object _gate = new object();
        private readonly StreamWriter _writer;

        private ListenerLog(StreamWriter writer) { _writer = writer; }

        /// <summary>The file written, or null (no -LogPath).</summary>
        public string Path { get; private set; }

        public static ListenerLog Start(string logRoot, DateTimeOffset now)
        {
            if (string.IsNullOrEmpty(logRoot)) return None;
            Directory.CreateDirectory(logRoot);
            string path = System.IO.Path.Combine(logRoot, $"listener-{now.ToLocalTime():yyyyMMdd-HHmmss}.jsonl");
            var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            return new ListenerLog(new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true }) { Path = path };
        }

        public void Write(string what, string source, string eventName, string objectKey, string reason)
        {
            if (_writer == null) return;
            var line = new JObject { ["at"] = DateTimeOffset.Now.ToString("o"), ["what"] = what };
            if (source != null) line["source"] = source;
            if (eventName != null) line["event"] = eventName;
            if (objectKey != null) line["object"] = objectKey;
            if (reason != null) line["reason"] = Redaction.Redact(reason);
            string text = line.ToString(Formatting.None);
            lock (_gate)
            {
                try { _writer.WriteLine(text); }
                catch (ObjectDisposedException) { }
            }
        }

        public void Dispose()
        {
            if (_writer == null) return;
            lock (_gate) _writer.Dispose();
        }
    }
}
