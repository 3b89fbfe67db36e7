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
    }
}
