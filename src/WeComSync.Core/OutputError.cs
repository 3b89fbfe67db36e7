namespace WeComSync
{
    /// <summary>What kind of failure an error is; a cmdlet maps it onto a PowerShell ErrorCategory.</summary>
    public enum ProblemKind
    {
        InvalidData,
        NotFound,
        /// <summary>The file is held by another program.</summary>
        Unavailable,
        /// <summary>Encrypted or not readable with our permissions.</summary>
        Denied,
        /// <summary>A write to a service failed (a change that could not be applied).</summary>
        WriteFailed,
        /// <summary>A service could not be read (a page that failed after the retries).</summary>
        ReadFailed,
        /// <summary>A limit stopped the work on purpose (the delete guard).</summary>
        LimitsExceeded,
        /// <summary>Something the work needs is not set up (a pool without the link fields).</summary>
        NotConfigured,
    }

    /// <summary>
    /// One error about one object, for <see cref="IOutputWriter.WriteError"/>: a stable id (a PowerShell ErrorId), its
    /// kind, the object it is about (an error record's TargetObject), what happened and what to do.
    /// </summary>
    public sealed class OutputError
    {
        public OutputError(string errorId, ProblemKind kind, object target, string message, string recommendedAction = null)
        {
            ErrorId = errorId;
            Kind = kind;
            Target = target;
            Message = message;
            RecommendedAction = recommendedAction;
        }

        public string ErrorId { get; }
        public ProblemKind Kind { get; }
        public object Target { get; }
        public string Message { get; }
        public string RecommendedAction { get; }

        /// <summary>The exception behind it, when there is one (an API error: its class gives the error's category).</summary>
        public System.Exception Exception { get; set; }

        public override string ToString() => Message;

        /// <summary>
        /// A service's error as the one error to show, for a run and for every cmdlet alike: its id from the service and
        /// the code ("WeComApi60111", "Authing400_2001"), what happened (redacted) and what to do; a block the caller did
        /// not wait out says when it lifts. <paramref name="target"/>: what it is about (default: the API path called).
        /// </summary>
        public static OutputError FromApi(Http.ApiException e, object target = null)
        {
            if (e == null) throw new System.ArgumentNullException(nameof(e));
            string action = e.RecommendedAction;
            if (e.RetryAt.HasValue && (action == null || action.IndexOf("Run it again after", System.StringComparison.Ordinal) < 0))
                action = (action + $" Run it again after {e.RetryAt.Value.ToLocalTime():HH:mm:ss}.").Trim();
            // WeCom's ids keep the "Api" that tells them from the module's own WeCom* ids (WeComNotConnected …).
            string prefix = e.Service == WeCom.WeComErrors.Service ? "WeComApi" : e.Service;
            return new OutputError(prefix + IdPart(e.Code), ProblemKind.InvalidData, target ?? e.Endpoint, Http.Redaction.Redact(e.Summary), action) { Exception = e };
        }

        /// <summary>A change that failed to apply, as its one error (run and Sync-* alike): "AuthingSync400: + create user lisi: 400 …".</summary>
        public static OutputError FailedChange(string service, Model.Result result)
        {
            if (result == null) throw new System.ArgumentNullException(nameof(result));
            return new OutputError(service + "Sync" + IdPart(result.ErrorCode), ProblemKind.WriteFailed, result.Change,
                Http.Redaction.Redact($"{result.Change}: {result.ErrorCode} {result.Error}"));
        }

        /// <summary>An API code as part of an error id ("409/2001" → "409_2001").</summary>
        public static string IdPart(string code) => (code ?? "").Replace("/", "_").Replace(":", "_");
    }
}
