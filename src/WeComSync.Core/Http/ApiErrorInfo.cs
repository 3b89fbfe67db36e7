using System;

// This file is compiled into WeComSync.Core and linked into the emulator (internal there: WECOMSYNC_EMULATOR) (tests/WeComSync.Emulator), so the service
// error tables (WeComErrorCodes, AuthingErrorCodes) are one source for both: keep it free of anything else in Core.
namespace WeComSync.Http
{
    /// <summary>What a failed call means for whoever made it. One column of each service's error table.</summary>
#if WECOMSYNC_EMULATOR
    internal
#else
    public
#endif
    enum ApiErrorClass
    {
        /// <summary>About this object's data or state (invalid field, exists, not found): report it against the object and go on.</summary>
        PerObject,

        /// <summary>The same call may succeed when tried again shortly (5xx, lost connection).</summary>
        Retryable,

        /// <summary>The service asks for fewer calls (throttled, too many concurrent calls, busy): retry after a back-off, and send fewer.</summary>
        Throttled,

        /// <summary>The API refuses every call for a while (WeCom 45009): wait the block out, or stop the run and say when it lifts.</summary>
        Blocked,

        /// <summary>The token was refused (expired, invalidated): fetch a new one and send the call once more.</summary>
        Token,

        /// <summary>The corp id, secret or access key is wrong: nothing can work until an administrator fixes the connection.</summary>
        Credentials,

        /// <summary>This secret, key or server IP may not make this kind of call at all: nothing of the kind can work (the run stops).</summary>
        Forbidden,

        /// <summary>This app may not see or read this part (visible range, detail-read ban): reads go on with less and say why.</summary>
        Restricted,
    }

    /// <summary>What each class means for a run: the one place these questions are answered.</summary>
#if WECOMSYNC_EMULATOR
    internal
#else
    public
#endif
    static class ApiErrorClassExtensions
    {
        /// <summary>Nothing else can work until an administrator acts (wrong credentials, forbidden secret or IP): a run stops instead of failing every object.</summary>
        public static bool IsFatal(this ApiErrorClass errorClass) => errorClass == ApiErrorClass.Credentials || errorClass == ApiErrorClass.Forbidden;

        /// <summary>Trying the same call again later may succeed.</summary>
        public static bool IsTransient(this ApiErrorClass errorClass) =>
            errorClass == ApiErrorClass.Retryable || errorClass == ApiErrorClass.Throttled || errorClass == ApiErrorClass.Blocked;
    }

    /// <summary>One row of a service's error table: the code, what it means, how callers treat it, what an administrator should do.</summary>
#if WECOMSYNC_EMULATOR
    internal
#else
    public
#endif
    sealed class ApiErrorInfo
    {
        public ApiErrorInfo(int code, string meaning, ApiErrorClass errorClass, string action = null, bool renewsToken = false)
        {
            Code = code;
            Meaning = meaning;
            Class = errorClass;
            Action = action;
            RenewsToken = renewsToken || errorClass == ApiErrorClass.Token;
        }

        public int Code { get; }

        /// <summary>What the service means by the code (its documentation's wording, in English).</summary>
        public string Meaning { get; }

        public ApiErrorClass Class { get; }

        /// <summary>What an administrator should do, as one or more full sentences; null when there is nothing to do but read the message.</summary>
        public string Action { get; }

        /// <summary>A fresh token may fix it: the client fetches one and sends the call once more before reporting the error.</summary>
        public bool RenewsToken { get; }

        public override string ToString() => $"{Code} {Meaning} ({Class})";
    }
}
