using System.Collections.Generic;
using System.Linq;
using WeComSync.Http;

// Linked into the emulator too (tests/WeComSync.Emulator), like WeComErrorCodes: one table for client and emulator.
namespace WeComSync.Authing
{
    /// <summary>
    /// Authing's answer codes: the envelope's <c>statusCode</c> (an HTTP-like number that travels in an HTTP 200 answer
    /// for business errors, and as the HTTP status for throttling and server errors). The envelope shape
    /// <c>{statusCode, message, apiCode, requestId, data}</c> is the one of every v3 response DTO in authing-node-sdk
    /// (e.g. src/models/CustomFieldListRespDto.ts); apiCode refines a status (docs.authing.cn/v2/reference/error-code.html)
    /// but never changes how a caller treats it. The status codes and their meanings are the list of Authing docs-v3,
    /// docs/reference/error-code.md (statusCode: 400, 401, 402, 403, 404, 409, 413, 422, 429, 499, 500–503).
    /// Every part of WeComSync that judges an Authing error reads this table.
    /// </summary>
#if WECOMSYNC_EMULATOR
    internal
#else
    public
#endif
    static class AuthingErrorCodes
    {
        public const int BadRequest = 400;
        public const int Unauthorized = 401;
        public const int PaymentRequired = 402;
        public const int Forbidden = 403;
        public const int NotFound = 404;
        public const int Conflict = 409;
        public const int PayloadTooLarge = 413;
        public const int InvalidOperation = 422;
        public const int TooManyRequests = 429;
        public const int ClientError = 499;
        public const int InternalError = 500;
        public const int UnsupportedOperation = 501;
        public const int BadGateway = 502;
        public const int Unavailable = 503;
        public const int GatewayTimeout = 504;

        private static readonly Dictionary<int, ApiErrorInfo> Rows = new[]
        {
            new ApiErrorInfo(BadRequest, "bad request (a field is missing or invalid)", ApiErrorClass.PerObject),
            new ApiErrorInfo(Unauthorized, "the management token or access key was refused", ApiErrorClass.Token,
                "Check the access key id and secret (Connect-Authing): use the user pool's key from the Authing console, Settings > Basic settings > Keys."),
            // PaymentNeededError: the pool's plan does not include the API. Nothing of the kind can work until the plan
            // changes, so the run stops (Forbidden class) instead of failing every object.
            new ApiErrorInfo(PaymentRequired, "the user pool's plan does not include this API (PaymentNeededError)", ApiErrorClass.Forbidden,
                "Upgrade the user pool's plan in the Authing console (or ask Authing sales), then run again; nothing was changed after this refusal."),
            new ApiErrorInfo(Forbidden, "the access key may not make this call", ApiErrorClass.Forbidden,
                "Give the access key's role management rights for users, organizations and custom fields in the Authing console."),
            new ApiErrorInfo(NotFound, "not found", ApiErrorClass.PerObject),
            new ApiErrorInfo(Conflict, "conflict (the value is already taken)", ApiErrorClass.PerObject),
            // PayloadTooLargeError: the request body is too large. A batch caller sends the batch again in halves
            // (AuthingClient.IsSizeRefusal); for a single object it is that object's error.
            new ApiErrorInfo(PayloadTooLarge, "the request body is too large (PayloadTooLargeError)", ApiErrorClass.PerObject),
            new ApiErrorInfo(InvalidOperation, "invalid operation: the fields are well formed but break a rule of the service (InvalidOperationError)", ApiErrorClass.PerObject),
            new ApiErrorInfo(ClientError, "client error (ClientError)", ApiErrorClass.PerObject),
            new ApiErrorInfo(TooManyRequests, "too many requests (throttled); sent as the HTTP status or only in the envelope of an HTTP 200 answer", ApiErrorClass.Throttled,
                "Lower the call rate (Connect-Authing -CallsPerMinute) or -ThrottleLimit."),
            new ApiErrorInfo(InternalError, "internal server error", ApiErrorClass.Retryable),
            // UnsupportedOperationError: the same call can never succeed on this server, so it is not retried like other 5xx.
            new ApiErrorInfo(UnsupportedOperation, "the server does not support this operation (UnsupportedOperationError)", ApiErrorClass.PerObject),
            new ApiErrorInfo(BadGateway, "bad gateway", ApiErrorClass.Retryable),
            new ApiErrorInfo(Unavailable, "service unavailable", ApiErrorClass.Throttled),
            new ApiErrorInfo(GatewayTimeout, "gateway timeout", ApiErrorClass.Retryable),
        }.ToDictionary(r => r.Code);

        public static IReadOnlyCollection<ApiErrorInfo> All => Rows.Values;

        public static bool IsKnown(int statusCode) => Rows.ContainsKey(statusCode);

        /// <summary>The status code's row; any other 5xx is retryable, any other code a per-object error.</summary>
        public static ApiErrorInfo Find(int statusCode) =>
            Rows.TryGetValue(statusCode, out var row) ? row
            : new ApiErrorInfo(statusCode, "Authing status " + statusCode, statusCode >= 500 ? ApiErrorClass.Retryable : ApiErrorClass.PerObject);
    }
}
