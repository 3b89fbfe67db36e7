using System;

namespace WeComSync.Http
{
    /// <summary>
    /// A call that the API answered with an error (WeCom errcode != 0, Authing statusCode != 200) or that could not be
    /// made. Carries the API's own code so callers match on codes, never on message text. The message and endpoint
    /// are redacted: no secret or token ever reaches an exception.
    /// </summary>
    public class ApiException : Exception
    {
        /// <summary>An error the service's table classifies (<c>WeComErrorCodes</c>, <c>AuthingErrorCodes</c>): it carries the row, so callers ask <see cref="Is"/> and <see cref="Class"/>.</summary>
        public ApiException(string service, string endpoint, string code, string apiMessage, ApiErrorInfo error, Exception inner = null)
            : this(service, endpoint, code, apiMessage, error.Class, error.Action, inner)
        {
            Error = error;
        }

        /// <summary>An error no table row describes (no answer, not the service's JSON, a client-side refusal): its class says how to treat it.</summary>
        public ApiException(string service, string endpoint, string code, string apiMessage, ApiErrorClass errorClass,
            string recommendedAction = null, Exception inner = null)
            : base(Redaction.Redact(Format(service, endpoint, code, apiMessage, recommendedAction)), inner)
        {
            Summary = Redaction.Redact(Format(service, endpoint, code, apiMessage, null));
            Service = service;
            Endpoint = Redaction.Redact(endpoint);
            Code = code;
            ApiMessage = Redaction.Redact(apiMessage);
            Class = errorClass;
            RecommendedAction = recommendedAction;
        }

        /// <summary>
        /// The same error reported against another endpoint (e.g. "list-users page 3"): the row, class, advice and block
        /// state are kept, so a copied Throttled or Blocked error stays one.
        /// </summary>
        public ApiException At(string endpoint) =>
            new ApiException(Service, endpoint, Code, ApiMessage, Class, RecommendedAction, this)
            {
                Error = Error,
                RetryAfter = RetryAfter,
                LongerBlock = LongerBlock,
                OutcomeUnknown = OutcomeUnknown,
                StopsRun = StopsRun,
                RetryAt = RetryAt,
            };

        /// <summary>This exception with its table row set (its class and advice stay its own).</summary>
        internal ApiException WithError(ApiErrorInfo error)
        {
            Error = error;
            return this;
        }

        /// <summary>The row of the service's error table this error is, or null when no row describes it (transport, timeout, HTTP status without the service's JSON).</summary>
        public ApiErrorInfo Error { get; private set; }

        /// <summary>True when the service answered with this code of its table (a <c>WeComErrorCodes</c> or <c>AuthingErrorCodes</c> constant).</summary>
        public bool Is(int code) => Error != null && Error.Code == code;

        /// <summary>"WeCom" or "Authing".</summary>
        public string Service { get; }

        /// <summary>The API path called (query secrets redacted).</summary>
        public string Endpoint { get; }

        /// <summary>WeCom errcode, or Authing statusCode (with apiCode as "statusCode/apiCode" when present), or "http:NNN" / "transport".</summary>
        public string Code { get; }

        public string ApiMessage { get; }

        /// <summary>What happened, as one sentence, without the advice (<see cref="Exception.Message"/> is this and then <see cref="RecommendedAction"/>).</summary>
        public string Summary { get; }

        /// <summary>How callers treat the error (from the service's error table).</summary>
        public ApiErrorClass Class { get; }

        /// <summary>True when retrying the same call may succeed (system busy, throttled, 5xx, transport error).</summary>
        public bool IsTransient => Class.IsTransient();

        /// <summary>The service asks for fewer calls (throttled, blocked, too many concurrent calls, busy, or no answer in time).</summary>
        public bool IsBackPressure => Class == ApiErrorClass.Throttled || Class == ApiErrorClass.Blocked || Code == "timeout";

        /// <summary>Nothing else can work until an administrator acts (wrong credentials, forbidden secret or IP): a run stops.</summary>
        public bool IsFatal => Class.IsFatal();

        /// <summary>This app may not read or change that (visible range, detail-read ban, forbidden secret or IP) rather than "something broke".</summary>
        public bool IsNotAllowed => Class == ApiErrorClass.Restricted || Class == ApiErrorClass.Forbidden;

        /// <summary>A fresh token may fix it (the client fetches one and sends the call once more).</summary>
        public bool RenewsToken => Error?.RenewsToken ?? false;

        /// <summary>What an administrator should do, when we know (e.g. add the server's IP to the trusted IPs).</summary>
        public string RecommendedAction { get; }

        /// <summary>
        /// For an API that blocks for the rest of a window (WeCom 45009): how long until a retry can succeed. The transport
        /// waits that long when it fits the connection's MaxWait, otherwise the call fails and the message says when to retry.
        /// </summary>
        public TimeSpan? RetryAfter { get; set; }

        /// <summary>
        /// For a block whose length the answer does not say (WeCom 45009: a minute-level block lifts 60 s after the hit,
        /// an hour-level one 60 min after it): how long the block is when it has not lifted after <see cref="RetryAfter"/>.
        /// </summary>
        public TimeSpan? LongerBlock { get; set; }

        /// <summary>
        /// A non-idempotent call (a create) timed out or lost its connection after the request may have reached the
        /// server: it may or may not have been applied. Never retried blindly; the caller checks whether the object
        /// exists before creating it again.
        /// </summary>
        public bool OutcomeUnknown { get; set; }

        /// <summary>
        /// Nothing more can succeed against this API for now (it is blocked for longer than the connection's MaxWait):
        /// a run stops here instead of failing every remaining object, and says when to run again (<see cref="RetryAt"/>).
        /// </summary>
        public bool StopsRun { get; set; }

        /// <summary>When a blocked API accepts calls again (UTC), when known.</summary>
        public DateTimeOffset? RetryAt { get; set; }

        /// <summary>What happened as one sentence, then the advice once (each ends with a full stop).</summary>
        private static string Format(string service, string endpoint, string code, string apiMessage, string action)
        {
            var text = Sentence($"{service} {endpoint} failed with code {code}: {apiMessage}");
            return string.IsNullOrEmpty(action) ? text : text + " " + Sentence(action);
        }

        /// <summary>The text as a sentence: trimmed, ending with a full stop (a trailing comma or colon dropped).</summary>
        public static string Sentence(string text)
        {
            text = (text ?? "").Trim().TrimEnd(',', ';', ':');
            return text.Length == 0 || text.EndsWith(".", StringComparison.Ordinal) || text.EndsWith("。", StringComparison.Ordinal)
                || text.EndsWith("?", StringComparison.Ordinal) || text.EndsWith("!", StringComparison.Ordinal) ? text : text + ".";
        }
    }
}
