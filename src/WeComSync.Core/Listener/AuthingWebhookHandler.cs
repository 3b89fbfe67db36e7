using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using WeComSync.Model;

namespace WeComSync.Listener
{
    /// <summary>
    /// Authing's webhooks (docs.authing.cn/v2/guides/webhook: the secret set on the webhook travels in every request as
    /// the <c>X-Authing-Token</c> header; the body is JSON, the event name and its data): the header compared in
    /// constant time, the JSON parsed (size-limited, no deep nesting), user and department events mapped onto
    /// <see cref="ListenerEvent"/>s. Other events (login, test events) are answered 200 and ignored. A delivery whose body
    /// was already taken (Authing retries an unanswered one) is taken once.
    /// </summary>
    public sealed class AuthingWebhookHandler
    {
        public const string SecretHeader = "X-Authing-Token";

        /// <summary>The events the listener subscribes to when it registers the webhook.</summary>
        public static readonly IReadOnlyList<string> Events = new[] { "user:created", "user:updated", "user:deleted", "organization:created", "organization:updated", "organization:deleted" };

        private readonly string _secret;
        private readonly string _linkField;
        private readonly EndpointLimits _limits;
        private readonly Func<DateTimeOffset> _clock;
        private readonly ExpiringSet _seen;

        public AuthingWebhookHandler(string secret, string userLinkField = null, EndpointLimits limits = null, Func<DateTimeOffset> clock = null)
        {
            if (string.IsNullOrEmpty(secret)) throw new ArgumentException("The webhook secret is empty: give the secret set on the Authing webhook (-AuthingWebhookSecret).", nameof(secret));
            _secret = secret;
            _linkField = userLinkField ?? Authing.LinkFieldNames.DefaultUserId;
            _limits = limits ?? new EndpointLimits();
            _clock = clock ?? (() => DateTimeOffset.UtcNow);
            _seen = new ExpiringSet(TimeSpan.FromTicks(_limits.ReplayWindow.Ticks * 2));
        }

        public EndpointResponse Receive(string secretHeader, byte[] body)
        {
            try
            {
                // The secret first: nothing of an unauthenticated body is parsed.
                if (!ConstantTime.Equals(_secret, secretHeader ?? ""))
                    throw new CallbackRejectedException("secret", "The X-Authing-Token header does not hold the webhook's secret.");
                if (body == null || body.Length == 0) throw new CallbackRejectedException("malformed", "The webhook has no body.");
                if (body.Length > _limits.MaxBodyBytes) throw new CallbackRejectedException("size", $"The webhook body is over {_limits.MaxBodyBytes} bytes.");
                JObject json = Parse(body);
                var now = _clock();
                var response = new EndpointResponse();
                var ev = ToEvent(json, now, out string ignored);
                if (ev == null) { response.Ignored = ignored; return response; }
                CheckAge(json, now);
                if (!_seen.Add(Hash(body), now)) return new EndpointResponse { Duplicate = true };
                response.Events.Add(ev);
                return response;
            }
            catch (CallbackRejectedException e)
            {
                return EndpointResponse.Refuse(e.Reason == "size" ? 413 : e.Reason == "malformed" ? 400 : 401, e);
            }
        }

        /// <summary>An event that says when it was sent, and says it is older than the window, is a replay.</summary>
        private void CheckAge(JObject json, DateTimeOffset now)
        {
            var stamp = json["timestamp"] ?? json["createdAt"] ?? json["eventTime"];
            if (stamp == null) return;
            DateTimeOffset? sent = null;
            if (stamp.Type == JTokenType.Integer)
            {
                long v = stamp.Value<long>();
                sent = v > 100_000_000_000 ? DateTimeOffset.FromUnixTimeMilliseconds(v) : DateTimeOffset.FromUnixTimeSeconds(v);
            }
            else if (stamp.Type == JTokenType.Date) sent = stamp.Value<DateTime>();
            else if (DateTimeOffset.TryParse(stamp.ToString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed)) sent = parsed;
            if (sent.HasValue && (now - sent.Value).Duration() > _limits.ReplayWindow)
                throw new CallbackRejectedException("replay", "The webhook's timestamp is outside the replay window.");
        }

        internal static JObject Parse(byte[] body)
        {
            int first = 0;
            while (first < body.Length && (body[first] == ' ' || body[first] == '\t' || body[first] == '\r' || body[first] == '\n' || body[first] == 0xEF || body[first] == 0xBB || body[first] == 0xBF)) first++;
            if (first < body.Length && body[first] != '{' && body[first] != '[') return ParseForm(Encoding.UTF8.GetString(body));
            try
            {
                using (var reader = new JsonTextReader(new StreamReader(new MemoryStream(body), Encoding.UTF8)) { MaxDepth = 16, DateParseHandling = DateParseHandling.None })
                {
                    var token = JToken.ReadFrom(reader);
                    if (reader.Read() && reader.TokenType != JsonToken.Comment) throw new CallbackRejectedException("malformed", "The webhook body holds more than one JSON value.");
                    return token as JObject ?? throw new CallbackRejectedException("malformed", "The webhook body is not a JSON object.");
                }
            }
            catch (JsonException) { throw new CallbackRejectedException("malformed", "The webhook body is not valid JSON."); }
        }

        /// <summary>A webhook sent as application/x-www-form-urlencoded: eventName=…&amp;data=&lt;JSON&gt;.</summary>
        private static JObject ParseForm(string text)
        {
            var json = new JObject();
            foreach (var pair in text.Split('&'))
            {
                int eq = pair.IndexOf('=');
                if (eq <= 0) continue;
                string key = Uri.UnescapeDataString(pair.Substring(0, eq).Replace('+', ' '));
                string value = Uri.UnescapeDataString(pair.Substring(eq + 1).Replace('+', ' '));
                if (key == "data") json["data"] = Parse(Encoding.UTF8.GetBytes(value));
                else json[key] = value;
            }
            if (json.Count == 0) throw new CallbackRejectedException("malformed", "The webhook body is neither JSON nor a form.");
            return json;
        }

        /// <summary>The event of one webhook body: the event name and the user or department it is about.</summary>
        internal ListenerEvent ToEvent(JObject json, DateTimeOffset now, out string ignored)
        {
            ignored = null;
            string name = Text(json, "eventName") ?? Text(json, "event") ?? Text(json, "eventType") ?? Text(json, "type");
            if (name == null) { ignored = "no event name"; return null; }
            var ev = new ListenerEvent { Source = EventSource.Authing, Name = name, ReceivedAt = now, OccurredAt = now };
            int colon = name.IndexOf(':');
            string subject = colon > 0 ? name.Substring(0, colon) : name, verb = colon > 0 ? name.Substring(colon + 1) : "";
            switch (verb)
            {
                case "created": ev.Action = EventAction.Created; break;
                case "updated": ev.Action = EventAction.Updated; break;
                case "deleted": ev.Action = EventAction.Deleted; break;
                default: ignored = name; return null;
            }
            var data = (json["data"] as JObject) ?? (json["user"] as JObject) ?? json;
            var user = (data["user"] as JObject) ?? data;
            if (subject == "user")
            {
                ev.Kind = ObjectKind.User;
                ev.AuthingUserId = Text(user, "userId") ?? Text(user, "id");
                var custom = (user["customData"] as JObject) ?? (user["extendField"] as JObject);
                // The link key: the link field where the user has one, else the username (the fallback match of every run).
                ev.Id = Text(custom, _linkField) ?? Text(user, _linkField) ?? Text(user, "username");
                if (ev.Id == null && ev.AuthingUserId == null) throw new CallbackRejectedException("malformed", $"The {name} event names no user.");
                var departments = user["departmentIds"] as JArray;
                if (departments != null) ev.Departments = departments.Select(d => d.ToString()).ToList();
                return ev;
            }
            if (subject == "organization" || subject == "department")
            {
                var department = (data["department"] as JObject) ?? data;
                ev.Kind = ObjectKind.Department;
                ev.Id = Text(department, "departmentId") ?? Text(department, "id") ?? Text(department, "code") ?? Text(department, "orgId");
                if (ev.Id == null) throw new CallbackRejectedException("malformed", $"The {name} event names no department.");
                var parent = Text(department, "parentDepartmentId");
                if (parent != null) ev.Departments = new[] { parent };
                return ev;
            }
            ignored = name;
            return null;
        }

        private static string Text(JObject o, string name)
        {
            var t = o?[name];
            if (t == null || t.Type == JTokenType.Null || t.Type == JTokenType.Object || t.Type == JTokenType.Array) return null;
            string s = t.ToString().Trim();
            return s.Length == 0 ? null : s;
        }

        private static string Hash(byte[] body)
        {
            using (var sha = SHA256.Create()) return Convert.ToBase64String(sha.ComputeHash(body));
        }
    }
}
