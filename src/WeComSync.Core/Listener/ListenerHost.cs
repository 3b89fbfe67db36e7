using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;
using Newtonsoft.Json.Converters;

namespace WeComSync.Listener
{
    /// <summary>
    /// The HTTP side of the listener (System.Net.HttpListener: part of the runtime on PowerShell 7 and 5.1, so nothing
    /// more to load into the module's context): <c>&lt;prefix&gt;wecom</c> (GET verification, POST callbacks),
    /// <c>&lt;prefix&gt;authing</c> (POST webhooks) and <c>&lt;prefix&gt;health</c> (GET, JSON). Plain HTTP on 127.0.0.1 by
    /// default: TLS is the reverse proxy's. Every request is answered at once; the syncs run on the listener's workers.
    /// </summary>
    public sealed class ListenerHost : IDisposable
    {
        public const string DefaultPrefix = "http://127.0.0.1:8080/";

        private static readonly JsonSerializerSettings HealthJson = new JsonSerializerSettings
        {
            Converters = { new StringEnumConverter() },
            NullValueHandling = NullValueHandling.Ignore,
            Formatting = Formatting.Indented,
        };

        private readonly HttpListener _http = new HttpListener();
        private readonly SyncListener _listener;
        private readonly WeComCallbackHandler _wecom;
        private readonly AuthingWebhookHandler _authing;
        private readonly EndpointLimits _limits;
        private readonly string _path;

        public ListenerHost(string prefix, SyncListener listener, WeComCallbackHandler wecom, AuthingWebhookHandler authing, EndpointLimits limits = null)
        {
            Prefix = NormalizePrefix(prefix);
            _listener = listener ?? throw new ArgumentNullException(nameof(listener));
            _wecom = wecom;
            _authing = authing;
            _limits = limits ?? new EndpointLimits();
            _path = new Uri(Prefix.Replace("://+", "://localhost").Replace("://*", "://localhost")).AbsolutePath;
            _http.Prefixes.Add(Prefix);
        }

        public string Prefix { get; }

        /// <summary>A prefix with its trailing slash; a bad one is an error that says what a prefix looks like.</summary>
        public static string NormalizePrefix(string prefix)
        {
            prefix = string.IsNullOrWhiteSpace(prefix) ? DefaultPrefix : prefix.Trim();
            if (!prefix.EndsWith("/", StringComparison.Ordinal)) prefix += "/";
            if (!prefix.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !prefix.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"The prefix '{prefix}' must look like http://127.0.0.1:8080/ (TLS belongs to the reverse proxy in front).", nameof(prefix));
            return prefix;
        }

        public void Start()
        {
            try { _http.Start(); }
            catch (HttpListenerException e)
            {
                throw new InvalidOperationException($"Cannot listen on {Prefix}: {e.Message}. Choose a free port with -Prefix (on Windows, a prefix other than 127.0.0.1/localhost needs 'netsh http add urlacl').", e);
            }
        }

        /// <summary>Serves until <paramref name="ct"/> is cancelled; then stops taking requests.</summary>
        public async Task ServeAsync(CancellationToken ct)
        {
            using (ct.Register(() => { try { _http.Stop(); } catch (ObjectDisposedException) { } }))
            {
                while (!ct.IsCancellationRequested)
                {
                    HttpListenerContext context;
                    try { context = await _http.GetContextAsync().ConfigureAwait(false); }
                    catch (Exception) when (ct.IsCancellationRequested || !_http.IsListening) { break; }
                    catch (HttpListenerException) { continue; }
                    _ = Task.Run(() => HandleAsync(context));
                }
            }
        }

        private async Task HandleAsync(HttpListenerContext context)
        {
            var response = context.Response;
            try
            {
                var request = context.Request;
                string path = request.Url.AbsolutePath;
                string endpoint = path.StartsWith(_path, StringComparison.Ordinal) ? path.Substring(_path.Length).Trim('/') : null;
                EndpointResponse answer;
                switch (endpoint)
                {
                    case "health" when request.HttpMethod == "GET":
                        answer = new EndpointResponse { Body = JsonConvert.SerializeObject(_listener.Health(), HealthJson), ContentType = "application/json; charset=utf-8" };
                        break;
                    case "wecom" when _wecom != null && request.HttpMethod == "GET":
                        answer = _wecom.Verify(Query(request));
                        _listener.Record("wecom", answer);
                        break;
                    case "wecom" when _wecom != null && request.HttpMethod == "POST":
                        {
                            var body = await ReadBodyAsync(request).ConfigureAwait(false);
                            answer = body == null ? TooLarge() : _wecom.Receive(Query(request), body);
                            answer = Take("wecom", answer);
                            break;
                        }
                    case "authing" when _authing != null && request.HttpMethod == "POST":
                        {
                            var body = await ReadBodyAsync(request).ConfigureAwait(false);
                            answer = body == null ? TooLarge() : _authing.Receive(request.Headers[AuthingWebhookHandler.SecretHeader], body);
                            answer = Take("authing", answer);
                            break;
                        }
                    case "wecom":
                    case "authing":
                    case "health":
                        answer = new EndpointResponse { Status = endpoint == "health" || (endpoint == "wecom" ? _wecom : (object)_authing) != null ? 405 : 404, Body = "" };
                        break;
                    default:
                        answer = new EndpointResponse { Status = 404, Body = "" };
                        break;
                }
                var bytes = Encoding.UTF8.GetBytes(answer.Body ?? "");
                response.StatusCode = answer.Status;
                response.ContentType = answer.ContentType;
                response.ContentLength64 = bytes.Length;
                await response.OutputStream.WriteAsync(bytes, 0, bytes.Length).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // A client that went away, or our bug: the request fails alone, the listener keeps serving.
                try { response.StatusCode = 500; } catch (InvalidOperationException) { }
            }
            finally
            {
                try { response.Close(); } catch (Exception) { }
            }
        }

        /// <summary>Queues an accepted request's events; a full queue answers 503 so the service delivers the event again.</summary>
        private EndpointResponse Take(string endpoint, EndpointResponse answer)
        {
            _listener.Record(endpoint, answer);
            foreach (var e in answer.Events)
            {
                if (!_listener.Enqueue(e)) return new EndpointResponse { Status = 503, Body = "busy" };
            }
            return answer;
        }

        private EndpointResponse TooLarge()
        {
            var answer = EndpointResponse.Refuse(413, new CallbackRejectedException("size", "too large"));
            _listener.Record("request", answer);
            return answer;
        }

        /// <summary>The body, or null when it is over the limit (read no further than one byte past it).</summary>
        private async Task<byte[]> ReadBodyAsync(HttpListenerRequest request)
        {
            if (request.ContentLength64 > _limits.MaxBodyBytes) return null;
            var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while ((read = await request.InputStream.ReadAsync(chunk, 0, chunk.Length).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > _limits.MaxBodyBytes) return null;
            }
            return buffer.ToArray();
        }

        private static Dictionary<string, string> Query(HttpListenerRequest request)
        {
            var query = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string key in request.QueryString.AllKeys)
                if (key != null) query[key] = request.QueryString[key];
            return query;
        }

        public void Dispose()
        {
            try { _http.Close(); } catch (ObjectDisposedException) { }
        }
    }
}
