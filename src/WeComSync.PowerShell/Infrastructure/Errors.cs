using System;
using System.Management.Automation;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>Builds error records the same way everywhere: a stable ErrorId, a category, the object and a message that says what to do.</summary>
    internal static class Errors
    {
        public static ErrorRecord Create(string errorId, ErrorCategory category, object target, string message, Exception inner = null)
        {
            var exception = inner == null ? new InvalidOperationException(message) : new InvalidOperationException(message, inner);
            return new ErrorRecord(exception, errorId, category, target);
        }

        public static ErrorRecord Create(string errorId, ErrorCategory category, object target, string message, string recommendedAction, Exception inner = null)
        {
            var record = Create(errorId, category, target, message, inner);
            if (!string.IsNullOrEmpty(recommendedAction))
            {
                record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = recommendedAction };
            }
            return record;
        }
    }
}
