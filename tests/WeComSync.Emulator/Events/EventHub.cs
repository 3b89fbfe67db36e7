using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace WeComSync.Emulator.Events;

/// <summary>How a source retries: WeCom "五秒内收不到响应…重新发起请求，总共重试三次" (/document/path/96466); Authing documents none.</summary>
public sealed class DeliveryPolicy
{
    [JsonPropertyName("timeoutMs")] public int TimeoutMs { get; set; } = 5000;
    [JsonPropertyName("retries")] public int Retries { get; set; } = 3;
    [JsonPropertyName("retryDelayMs")] public int RetryDelayMs { get; set; }
}

/// <summary>One HTTP request as sent (kept so that a recorded delivery can be replayed byte for byte).</summary>
public sealed record OutgoingRequest(HttpMethod Method, string Url, byte[] Body, string ContentType, IReadOnlyList<KeyValuePair<string, string>> Headers);

/// <summary>One try of a delivery and how the receiver answered.</summary>
public sealed class DeliveryAttempt
{
    [JsonPropertyName("at")] public DateTimeOffset At { get; set; }
    /// <summary>The HTTP status the receiver answered; null when it did not (timeout, refused).</summary>
    [JsonPropertyName("status")] public int? Status { get; set; }
    [JsonPropertyName("error")] public string Error { get; set; }
    [JsonPropertyName("elapsedMs")] public long ElapsedMs { get; set; }
    /// <summary>The first 200 characters of the answer's body.</summary>
    [JsonPropertyName("response")] public string Response { get; set; }
}

/// <summary>One event sent (or to be sent) to a receiver, with every attempt: what GET /_emulator/events lists.</summary>
public sealed class EventDelivery
{
    [JsonPropertyName("id")] public long Id { get; set; }
    /// <summary><c>wecom</c> or <c>authing</c>.</summary>
    [JsonPropertyName("source")] public string Source { get; set; }
    /// <summary>The ChangeType (WeCom; <c>verify_url</c> for the verification GET) or the eventName (Authing).</summary>
    [JsonPropertyName("event")] public string Event { get; set; }
    /// <summary>The userid / department id (WeCom) or userId / departmentId (Authing).</summary>
    [JsonPropertyName("objectId")] public string ObjectId { get; set; }
    /// <summary><c>api</c>, <c>console</c> or <c>forged</c>.</summary>
    [JsonPropertyName("origin")] public string Origin { get; set; }
    /// <summary>The forged kind (bad-signature, replay …), null for a genuine event.</summary>
    [JsonPropertyName("forged")] public string Forged { get; set; }
    [JsonPropertyName("url")] public string Url { get; set; }
    [JsonPropertyName("createdAt")] public DateTimeOffset CreatedAt { get; set; }
    /// <summary>The plaintext: the decrypted XML (WeCom) or the JSON body (Authing). Never a secret.</summary>
    [JsonPropertyName("payload")] public string Payload { get; set; }
    [JsonPropertyName("attempts")] public List<DeliveryAttempt> Attempts { get; set; } = new();
    /// <summary><c>pending</c>, <c>delivered</c> (the receiver accepted it) or <c>failed</c> (every attempt failed).</summary>
    [JsonPropertyName("outcome")] public string Outcome { get; set; } = "pending";

    [JsonIgnore] internal Func<OutgoingRequest> Build;
    /// <summary>The Authing webhook it went to (get-webhook-logs).</summary>
    [JsonIgnore] internal string WebhookId;
    [JsonIgnore] internal OutgoingRequest Sent;
    [JsonIgnore] internal Func<int, bool> Accepts;
}

/// <summary>
/// Sends events off the request thread: each delivery on its own task (so a slow receiver holds back no other event;
/// the order of arrival is therefore not guaranteed), retried by the source's policy, and logged with every attempt.
/// </summary>
public sealed class EventHub : IDisposable
{
    private readonly object _gate = new();
    private readonly List<EventDelivery> _log = new();
    private readonly SemaphoreSlim _slots = new(64);
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    }) { Timeout = Timeout.InfiniteTimeSpan };
    private CancellationTokenSource _cts = new();
    private long _nextId;
    private int _pending;

    public DeliveryPolicy WeCom { get; private set; } = new();

    public DeliveryPolicy Authing { get; private set; } = new();

    public DeliveryPolicy Policy(string source) => source == "wecom" ? WeCom : Authing;

    /// <summary>Clears the log and the policies; deliveries still in flight are abandoned.</summary>
    public void Reset()
    {
        CancellationTokenSource old;
        lock (_gate)
        {
            old = _cts;
            _cts = new CancellationTokenSource();
            _log.Clear();
            WeCom = new DeliveryPolicy();
            Authing = new DeliveryPolicy();
        }
        old.Cancel();
        old.Dispose();
    }

    public void ClearLog()
    {
        lock (_gate) _log.RemoveAll(d => d.Outcome != "pending");
    }

    public List<EventDelivery> Log(string source = null, string eventName = null, string objectId = null)
    {
        lock (_gate)
            return _log.Where(d => (source == null || d.Source == source) && (eventName == null || d.Event == eventName) && (objectId == null || d.ObjectId == objectId))
                .Select(Snapshot).ToList();
    }

    /// <summary>Deliveries with their sent request (internal: get-webhook-logs reads the headers and bodies).</summary>
    internal List<(EventDelivery delivery, OutgoingRequest sent)> Sent(Func<EventDelivery, bool> which)
    {
        lock (_gate) return _log.Where(which).Select(d => { lock (d) return (Snapshot(d), d.Sent); }).ToList();
    }

    public EventDelivery Find(long id)
    {
        lock (_gate) return _log.FirstOrDefault(d => d.Id == id);
    }

    public EventDelivery LastDelivered(string source)
    {
        lock (_gate) return _log.LastOrDefault(d => d.Source == source && d.Forged == null && d.Event != "verify_url" && d.Sent != null);
    }

    private static EventDelivery Snapshot(EventDelivery d)
    {
        lock (d)
            return new EventDelivery
            {
                Id = d.Id, Source = d.Source, Event = d.Event, ObjectId = d.ObjectId, Origin = d.Origin, Forged = d.Forged, Url = d.Url,
                CreatedAt = d.CreatedAt, Payload = d.Payload, Outcome = d.Outcome,
                Attempts = d.Attempts.Select(a => new DeliveryAttempt { At = a.At, Status = a.Status, Error = a.Error, ElapsedMs = a.ElapsedMs, Response = a.Response }).ToList(),
            };
    }

    private EventDelivery Add(EventDelivery d)
    {
        lock (_gate)
        {
            d.Id = ++_nextId;
            d.CreatedAt = DateTimeOffset.UtcNow;
            _log.Add(d);
            return d;
        }
    }

    /// <summary>Queues a delivery: sent on its own task, retried by the source's policy until accepted.</summary>
    public EventDelivery Enqueue(EventDelivery d)
    {
        Add(d);
        var policy = Policy(d.Source);
        CancellationToken token;
        lock (_gate) token = _cts.Token;
        Interlocked.Increment(ref _pending);
        _ = Task.Run(async () =>
        {
            try
            {
                await _slots.WaitAsync(token);
                try
                {
                    for (var attempt = 0; attempt <= policy.Retries; attempt++)
                    {
                        if (attempt > 0 && policy.RetryDelayMs > 0) await Task.Delay(policy.RetryDelayMs, token);
                        if (await AttemptAsync(d, d.Build(), policy.TimeoutMs, token))
                        {
                            lock (d) d.Outcome = "delivered";
                            return;
                        }
                    }
                    lock (d) d.Outcome = "failed";
                }
                finally { _slots.Release(); }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                lock (d) d.Outcome = "failed";
            }
            finally { Interlocked.Decrement(ref _pending); }
        }, CancellationToken.None);
        return d;
    }

    /// <summary>Sends one request now, once (verification GETs and forged events), and answers the logged delivery.</summary>
    public async Task<EventDelivery> SendOnceAsync(EventDelivery d, OutgoingRequest request, int timeoutMs)
    {
        Add(d);
        CancellationToken token;
        lock (_gate) token = _cts.Token;
        var ok = await AttemptAsync(d, request, timeoutMs, token);
        lock (d) d.Outcome = ok ? "delivered" : "failed";
        return Snapshot(d);
    }

    private async Task<bool> AttemptAsync(EventDelivery d, OutgoingRequest request, int timeoutMs, CancellationToken token)
    {
        var attempt = new DeliveryAttempt { At = DateTimeOffset.UtcNow };
        lock (d)
        {
            d.Sent = request;
            d.Attempts.Add(attempt);
        }
        var clock = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(Math.Max(1, timeoutMs));
        try
        {
            using var message = new HttpRequestMessage(request.Method, request.Url);
            if (request.Body != null)
            {
                message.Content = new ByteArrayContent(request.Body);
                if (request.ContentType != null) message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            }
            foreach (var (name, value) in request.Headers ?? Array.Empty<KeyValuePair<string, string>>())
                message.Headers.TryAddWithoutValidation(name, value);
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, timeout.Token);
            // Bytes, not ReadAsStringAsync: that drops a BOM, which WeCom's verification refuses ("不能带bom头").
            var body = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync(timeout.Token));
            lock (d)
            {
                attempt.Status = (int)response.StatusCode;
                attempt.Response = body.Length > 200 ? body[..200] : body;
                attempt.ElapsedMs = clock.ElapsedMilliseconds;
            }
            return (d.Accepts ?? (s => s >= 200 && s < 300))((int)response.StatusCode);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
            lock (d)
            {
                attempt.Error = $"no answer within {timeoutMs} ms";
                attempt.ElapsedMs = clock.ElapsedMilliseconds;
            }
            return false;
        }
        catch (HttpRequestException e)
        {
            lock (d)
            {
                // A listener that refuses an oversize body mid-upload shows up here, without a status.
                attempt.Error = e.HttpRequestError == HttpRequestError.ConnectionError ? "connection refused" : $"{e.HttpRequestError}: {e.Message}";
                attempt.ElapsedMs = clock.ElapsedMilliseconds;
            }
            return false;
        }
    }

    /// <summary>Waits until no delivery is pending or in flight; false when the timeout came first.</summary>
    public async Task<bool> WaitIdleAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var until = DateTime.UtcNow + timeout;
        while (Volatile.Read(ref _pending) > 0)
        {
            if (DateTime.UtcNow >= until) return false;
            await Task.Delay(20, cancellationToken);
        }
        return true;
    }

    public int Pending => Volatile.Read(ref _pending);

    public void Dispose()
    {
        lock (_gate) _cts.Cancel();
        _http.Dispose();
    }
}
