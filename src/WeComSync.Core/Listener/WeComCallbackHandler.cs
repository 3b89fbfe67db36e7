using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using WeComSync.Model;

namespace WeComSync.Listener
{
    /// <summary>Limits every endpoint keeps.</summary>
    public sealed class EndpointLimits
    {
        /// <summary>A callback or webhook body larger than this is refused (413) unread. WeCom's contact events are a few KB.</summary>
        public int MaxBodyBytes { get; set; } = 64 * 1024;

        /// <summary>A WeCom timestamp further than this from now is a replay (or a clock gone wrong) and refused.</summary>
        public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromMinutes(5);
    }

    /// <summary>
    /// WeCom's contact callbacks (通讯录回调, developer.work.weixin.qq.com paths 90930, 90968, 96302): the URL verification
    /// GET answers the decrypted echostr as it is (no quotes, no newline); a POST is checked (signature, timestamp,
    /// corp id), decrypted and parsed, its <c>change_contact</c> event turned into a <see cref="ListenerEvent"/>, and
    /// answered 200 at once with an empty body (WeCom retries what is not answered within 5 seconds; an empty answer is
    /// not retried). Its retries carry the same message and are answered 200 without a second event. Nothing here logs
    /// the payload.
    /// </summary>
    public sealed class WeComCallbackHandler
    {
        private readonly WeComCallbackCrypto _crypto;
        private readonly EndpointLimits _limits;
        private readonly Func<DateTimeOffset> _clock;
        private readonly ExpiringSet _seen;

        public WeComCallbackHandler(WeComCallbackCrypto crypto, EndpointLimits limits = null, Func<DateTimeOffset> clock = null)
        {
            _crypto = crypto ?? throw new ArgumentNullException(nameof(crypto));
            _limits = limits ?? new EndpointLimits();
            _clock = clock ?? (() => DateTimeOffset.UtcNow);
            // Twice the window: a message seen at the window's edge still counts as seen for its whole life.
            _seen = new ExpiringSet(TimeSpan.FromTicks(_limits.ReplayWindow.Ticks * 2));
        }

        /// <summary>The URL verification: the decrypted echostr, or a refusal.</summary>
        public EndpointResponse Verify(IDictionary<string, string> query)
        {
            try
            {
                string echo = Get(query, "echostr");
                if (string.IsNullOrEmpty(echo)) throw new CallbackRejectedException("malformed", "The verification request has no echostr.");
                string timestamp = Get(query, "timestamp"), nonce = Get(query, "nonce");
                _crypto.VerifySignature(Get(query, "msg_signature"), timestamp, nonce, echo);
                CheckTimestamp(timestamp);
                return new EndpointResponse { Body = _crypto.Decrypt(echo) };
            }
            catch (CallbackRejectedException e) { return EndpointResponse.Refuse(StatusFor(e), e); }
        }

        /// <summary>A callback: checked, decrypted, parsed; the event (if any) in <see cref="EndpointResponse.Events"/>.</summary>
        public EndpointResponse Receive(IDictionary<string, string> query, byte[] body)
        {
            try
            {
                if (body == null || body.Length == 0) throw new CallbackRejectedException("malformed", "The callback has no body.");
                if (body.Length > _limits.MaxBodyBytes) throw new CallbackRejectedException("size", $"The callback body is over {_limits.MaxBodyBytes} bytes.");
                var outer = ParseXml(body);
                string encrypted = outer.TryGetValue("Encrypt", out var e) ? e : null;
                if (string.IsNullOrEmpty(encrypted)) throw new CallbackRejectedException("malformed", "The callback has no Encrypt element.");
                string timestamp = Get(query, "timestamp"), nonce = Get(query, "nonce");
                _crypto.VerifySignature(Get(query, "msg_signature"), timestamp, nonce, encrypted);
                CheckTimestamp(timestamp);
                string xml = _crypto.Decrypt(encrypted);
                var now = _clock();
                // A retry (and a replay inside the window) carries the same plaintext: taken once.
                if (!_seen.Add(Hash(xml), now)) return new EndpointResponse { Duplicate = true };
                var response = new EndpointResponse();
                var fields = ParseXml(Encoding.UTF8.GetBytes(xml));
                var ev = ToEvent(fields, now, out string ignored);
                if (ev != null) response.Events.Add(ev);
                else response.Ignored = ignored;
                return response;
            }
            catch (CallbackRejectedException e) { return EndpointResponse.Refuse(StatusFor(e), e); }
        }

        private static int StatusFor(CallbackRejectedException e) =>
            e.Reason == "size" ? 413 : e.Reason == "malformed" || e.Reason == "decrypt" ? 400 : 403;

        private void CheckTimestamp(string timestamp)
        {
            if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds))
                throw new CallbackRejectedException("malformed", "The timestamp is not a number.");
            var sent = DateTimeOffset.FromUnixTimeSeconds(Math.Min(seconds, 253402300799));
            if ((_clock() - sent).Duration() > _limits.ReplayWindow)
                throw new CallbackRejectedException("replay", $"The timestamp is more than {_limits.ReplayWindow.TotalMinutes:0} minute(s) from now: a replay, or this machine's clock is wrong.");
        }

        /// <summary>
        /// The event of one change_contact message. A member event names the userid (and, since 2022-08-15 for a new
        /// sync-assistant URL, only UserID and Department: the sync reads the rest from the API).
        /// </summary>
        internal static ListenerEvent ToEvent(Dictionary<string, string> x, DateTimeOffset now, out string ignored)
        {
            ignored = null;
            string msgType = Field(x, "MsgType"), evt = Field(x, "Event") ?? Field(x, "InfoType"), change = Field(x, "ChangeType");
            if (!string.Equals(evt, "change_contact", StringComparison.Ordinal) || (msgType != null && msgType != "event"))
            {
                ignored = $"{msgType}/{evt}";
                return null;
            }
            var ev = new ListenerEvent { Source = EventSource.WeCom, Name = "change_contact/" + change, ReceivedAt = now, OccurredAt = now };
            if (long.TryParse(Field(x, "CreateTime") ?? Field(x, "TimeStamp"), NumberStyles.None, CultureInfo.InvariantCulture, out long created) && created < 253402300799)
                ev.OccurredAt = DateTimeOffset.FromUnixTimeSeconds(created);
            switch (change)
            {
                case "create_user": ev.Kind = ObjectKind.User; ev.Action = EventAction.Created; break;
                case "update_user": ev.Kind = ObjectKind.User; ev.Action = EventAction.Updated; break;
                case "delete_user": ev.Kind = ObjectKind.User; ev.Action = EventAction.Deleted; break;
                case "create_party": ev.Kind = ObjectKind.Department; ev.Action = EventAction.Created; break;
                case "update_party": ev.Kind = ObjectKind.Department; ev.Action = EventAction.Updated; break;
                case "delete_party": ev.Kind = ObjectKind.Department; ev.Action = EventAction.Deleted; break;
                default:
                    ignored = "change_contact/" + change;   // update_tag and what may come: nothing of ours
                    return null;
            }
            if (ev.Kind == ObjectKind.User)
            {
                ev.Id = Field(x, "UserID");
                ev.NewId = Field(x, "NewUserID");
                var departments = Field(x, "Department");
                if (!string.IsNullOrEmpty(departments)) ev.Departments = departments.Split(',').Select(d => d.Trim()).Where(d => d.Length > 0).ToList();
            }
            else
            {
                ev.Id = Field(x, "Id");
                var parent = Field(x, "ParentId");
                if (!string.IsNullOrEmpty(parent)) ev.Departments = new[] { parent };
            }
            if (string.IsNullOrEmpty(ev.Id)) throw new CallbackRejectedException("malformed", $"The {change} event names no object.");
            return ev;
        }

        private static string Field(Dictionary<string, string> x, string name) => x.TryGetValue(name, out var v) ? v?.Trim() : null;

        private static string Get(IDictionary<string, string> query, string name) => query != null && query.TryGetValue(name, out var v) ? v : null;

        /// <summary>The top-level elements of a flat XML document (callbacks have no nesting we need); no DTD, no resolver.</summary>
        internal static Dictionary<string, string> ParseXml(byte[] xml)
        {
            var settings = new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Prohibit,
                XmlResolver = null,
                MaxCharactersInDocument = 1 << 20,
                IgnoreComments = true,
                IgnoreProcessingInstructions = true,
            };
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            try
            {
                using (var reader = XmlReader.Create(new MemoryStream(xml), settings))
                {
                    reader.MoveToContent();
                    if (reader.NodeType != XmlNodeType.Element) throw new CallbackRejectedException("malformed", "The body is not an XML document.");
                    int depth = reader.Depth;
                    if (reader.IsEmptyElement) return fields;
                    reader.Read();
                    while (!reader.EOF && reader.Depth > depth)
                    {
                        if (reader.NodeType == XmlNodeType.Element && reader.Depth == depth + 1)
                        {
                            string name = reader.LocalName;
                            // ReadInnerXml would keep nested items as text; the contact fields are flat, nested ones (ExtAttr) are not used.
                            string value = reader.IsEmptyElement ? "" : ReadText(reader);
                            if (!fields.ContainsKey(name)) fields[name] = value;
                            continue;
                        }
                        reader.Read();
                    }
                }
            }
            catch (XmlException) { throw new CallbackRejectedException("malformed", "The body is not well-formed XML."); }
            return fields;
        }

        private static string ReadText(XmlReader reader)
        {
            int depth = reader.Depth;
            var text = new StringBuilder();
            reader.Read();
            while (!reader.EOF && reader.Depth > depth)
            {
                if (reader.NodeType == XmlNodeType.Text || reader.NodeType == XmlNodeType.CDATA || reader.NodeType == XmlNodeType.SignificantWhitespace || reader.NodeType == XmlNodeType.Whitespace)
                    if (reader.Depth == depth + 1) text.Append(reader.Value);
                reader.Read();
            }
            if (reader.NodeType == XmlNodeType.EndElement) reader.Read();
            return text.ToString();
        }

        private static string Hash(string text)
        {
            using (var sha = SHA256.Create()) return Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(text)));
        }
    }
}
