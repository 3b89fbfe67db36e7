using System;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Reflection;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>Builds error records the same way everywhere: a stable ErrorId, a category, the object and a message that says what to do.</summary>
    internal static class Errors
    {
        /// <summary>The PowerShell category of an API error, from its class in the service's error table.</summary>
        public static ErrorCategory CategoryOf(WeComSync.Http.ApiException e)
        {
            switch (e.Class)
            {
                case WeComSync.Http.ApiErrorClass.Credentials:
                case WeComSync.Http.ApiErrorClass.Token: return ErrorCategory.AuthenticationError;
                case WeComSync.Http.ApiErrorClass.Forbidden:
                case WeComSync.Http.ApiErrorClass.Restricted: return ErrorCategory.PermissionDenied;
                case WeComSync.Http.ApiErrorClass.Throttled:
                case WeComSync.Http.ApiErrorClass.Blocked: return ErrorCategory.LimitsExceeded;
                case WeComSync.Http.ApiErrorClass.Retryable: return ErrorCategory.ConnectionError;
                default: return ErrorCategory.InvalidOperation;
            }
        }

        /// <summary>The PowerShell category of an engine error's kind.</summary>
        public static ErrorCategory CategoryOf(ProblemKind kind)
        {
            switch (kind)
            {
                case ProblemKind.NotFound: return ErrorCategory.ObjectNotFound;
                case ProblemKind.Unavailable: return ErrorCategory.ResourceBusy;
                case ProblemKind.Denied: return ErrorCategory.PermissionDenied;
                case ProblemKind.WriteFailed: return ErrorCategory.WriteError;
                case ProblemKind.ReadFailed: return ErrorCategory.ReadError;
                case ProblemKind.LimitsExceeded: return ErrorCategory.LimitsExceeded;
                case ProblemKind.NotConfigured: return ErrorCategory.NotInstalled;
                default: return ErrorCategory.InvalidData;
            }
        }

        // PowerShell sets every written error's InvocationInfo from the writing command (ErrorRecord.SetInvocationInfo,
        // internal) and keeps a DisplayScriptPosition already set on it (public); there is no public way to set either
        // on a new record. Resolved once; a runtime without them leaves errors as PowerShell writes them.
        private static readonly MethodInfo SetInvocationInfo = typeof(ErrorRecord).GetMethod("SetInvocationInfo",
            BindingFlags.Instance | BindingFlags.NonPublic, null, new[] { typeof(InvocationInfo) }, null);

        private static readonly IScriptExtent NoPosition = new ScriptExtent(new ScriptPosition("", 0, 0, ""), new ScriptPosition("", 0, 0, ""));

        /// <summary>
        /// <paramref name="record"/> as an error about one object (a bad row, a failed change): it names the command that
        /// wrote it and carries no script position, so a script's console, a scheduled run's log file and ConciseView show
        /// it as "Invoke-WeComUpstreamSync: message" (the way PowerShell shows an error a script module writes), not as
        /// the caller's script line again for every row (docs/ARCHITECTURE.md §9). Errors that end the command keep theirs.
        /// </summary>
        public static ErrorRecord AboutOneObject(ErrorRecord record, InvocationInfo command)
        {
            if (SetInvocationInfo == null || command == null || record == null) return record;
            try
            {
                SetInvocationInfo.Invoke(record, new object[] { command });
                if (record.InvocationInfo != null) record.InvocationInfo.DisplayScriptPosition = NoPosition;
            }
            catch (TargetInvocationException) { /* as PowerShell writes it */ }
            return record;
        }

        /// <summary>An API error's record: the one mapping (<see cref="OutputError.FromApi"/>) the runs use too.</summary>
        public static ErrorRecord FromApi(WeComSync.Http.ApiException e, object target = null) => CmdletOutputWriter.ToRecord(OutputError.FromApi(e, target));

        /// <summary>A failed change's record (<see cref="OutputError.FailedChange"/>), as a run writes it.</summary>
        public static ErrorRecord FailedChange(string service, WeComSync.Model.Result result) => CmdletOutputWriter.ToRecord(OutputError.FailedChange(service, result));

        public static ErrorRecord Create(string errorId, ErrorCategory category, object target, string message, Exception inner = null)
        {
            var exception = inner == null ? new InvalidOperationException(message) : new InvalidOperationException(message, inner);
            return new ErrorRecord(exception, errorId, category, target);
        }

        /// <summary>
        /// An error whose message says what happened and whose advice is in ErrorDetails.RecommendedAction, each once and
        /// each a sentence: PowerShell 7 shows the message and then "Recommendation: …", and a script that prints the
        /// exception's message and then the advice (module/Examples) says each once too.
        /// </summary>
        public static ErrorRecord Create(string errorId, ErrorCategory category, object target, string message, string recommendedAction, Exception inner = null)
        {
            var record = Create(errorId, category, target, message, inner);
            if (!string.IsNullOrEmpty(recommendedAction))
            {
                record.ErrorDetails = new ErrorDetails(WeComSync.Http.ApiException.Sentence(message)) { RecommendedAction = WeComSync.Http.ApiException.Sentence(recommendedAction) };
            }
            return record;
        }
    }
}
