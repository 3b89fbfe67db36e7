using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Http;
using WeComSync.WeCom;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>The session's current WeCom connection (Connect-WeCom sets it, Disconnect-WeCom clears it).</summary>
    internal static class WeComSession
    {
        private static WeComConnection _current;
        public static WeComConnection Current { get => Volatile.Read(ref _current); set => Volatile.Write(ref _current, value); }
    }

    /// <summary>
    /// What every WeCom cmdlet shares: -Connection (else the session's), Ctrl+C cancellation, running core tasks while
    /// writing progress and verbose lines from the pipeline thread, and ApiExceptions turned into error records that say what to do.
    /// </summary>
    public abstract class WeComCmdlet : PSCmdlet
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        /// <summary>The connection to use; default: the one Connect-WeCom made in this session.</summary>
        [Parameter]
        public WeComConnection Connection { get; set; }

        protected CancellationToken Cancellation => _stop.Token;

        protected override void StopProcessing() => _stop.Cancel();

        protected WeComConnection RequireConnection()
        {
            var connection = Connection ?? WeComSession.Current;
            if (connection == null)
            {
                ThrowTerminatingError(Errors.Create("WeComNotConnected", ErrorCategory.ConnectionError, null,
                    "Not connected to WeCom.", "Run Connect-WeCom -CorpId <corp id> -Secret <secret> first, or pass -Connection."));
            }
            return connection;
        }

        /// <summary>Runs <paramref name="work"/> off the pipeline thread; meanwhile writes its progress and the client's trace (Debug) from here.</summary>
        protected T Run<T>(WeComConnection connection, Func<CancellationToken, Task<T>> work, string activity, ReadProgress progress = null)
        {
            var trace = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var previous = connection.Client.Trace;
            connection.Client.Trace = line => trace.Enqueue(line);
            try
            {
                var task = Task.Run(() => work(Cancellation), Cancellation);
                while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(200))
                {
                    Drain(trace);
                    if (progress != null) WriteProgress(new ProgressRecord(2, activity, string.IsNullOrEmpty(progress.Stage) ? " " : $"{progress.Stage}: {progress.Done}" + (progress.Total > 0 ? $" of {progress.Total}" : "")) { PercentComplete = progress.Percent });
                }
                Drain(trace);
                if (progress != null) WriteProgress(new ProgressRecord(2, activity, "done") { RecordType = ProgressRecordType.Completed });
                return task.GetAwaiter().GetResult();
            }
            catch (ApiException e)
            {
                ThrowTerminatingError(ToError(e, connection));
                throw; // unreachable
            }
            catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            finally
            {
                connection.Client.Trace = previous;
            }
        }

        private void Drain(System.Collections.Concurrent.ConcurrentQueue<string> trace)
        {
            while (trace.TryDequeue(out var line)) WriteDebug(Redaction.Redact(line));
        }

        internal static ErrorRecord ToError(ApiException e, object target)
        {
            var category = e.Code == "60020" || e.Code == "48002" || e.Code == "48009" ? ErrorCategory.PermissionDenied
                : e.Code == "40001" || e.Code == "40013" || e.Code == "40091" ? ErrorCategory.AuthenticationError
                : e.IsTransient ? ErrorCategory.LimitsExceeded : ErrorCategory.InvalidResult;
            string action = e.RecommendedAction;
            if (e.RetryAfter.HasValue) action = (action + $" Retry after {DateTimeOffset.Now + e.RetryAfter.Value:HH:mm:ss}.").Trim();
            return Errors.Create("WeComApi" + e.Code, category, target, e.Message, action, e);
        }
    }
}
