using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Authing;
using WeComSync.Http;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>The session's current Authing connection (Connect-Authing sets it, Disconnect-Authing clears it).</summary>
    internal static class AuthingSession
    {
        private static AuthingConnection _current;
        public static AuthingConnection Current { get => Volatile.Read(ref _current); set => Volatile.Write(ref _current, value); }
    }

    /// <summary>
    /// What every Authing cmdlet shares: -Connection (else the session's), Ctrl+C cancellation, running core tasks while
    /// writing progress and the client's trace from the pipeline thread, and ApiExceptions turned into error records.
    /// </summary>
    public abstract class AuthingCmdlet : PSCmdlet
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        /// <summary>The connection to use; default: the one Connect-Authing made in this session.</summary>
        [Parameter]
        public AuthingConnection Connection { get; set; }

        protected CancellationToken Cancellation => _stop.Token;

        protected override void StopProcessing() => _stop.Cancel();

        protected AuthingConnection RequireConnection()
        {
            var connection = Connection ?? AuthingSession.Current;
            if (connection == null)
            {
                ThrowTerminatingError(Errors.Create("AuthingNotConnected", ErrorCategory.ConnectionError, null,
                    "Not connected to Authing.", "Run Connect-Authing -Credential <access key id and secret> first, or pass -Connection."));
            }
            return connection;
        }

        /// <summary>The organization to work on: the parameter, else the connection's default; stops with a clear error when neither.</summary>
        protected string RequireOrganization(AuthingConnection connection, string organizationCode)
        {
            var code = string.IsNullOrEmpty(organizationCode) ? connection.OrganizationCode : organizationCode;
            if (string.IsNullOrEmpty(code))
            {
                ThrowTerminatingError(Errors.Create("AuthingNoOrganization", ErrorCategory.InvalidArgument, null,
                    "No Authing organization given.", "Pass -OrganizationCode, or set a default with Connect-Authing -OrganizationCode."));
            }
            return code;
        }

        /// <summary>Runs <paramref name="work"/> off the pipeline thread; meanwhile writes its progress and the client's trace (Debug) from here.</summary>
        protected T Run<T>(AuthingConnection connection, Func<CancellationToken, Task<T>> work, string activity, Func<string> progress = null)
        {
            var trace = new ConcurrentQueue<string>();
            var previous = connection.Client.Trace;
            connection.Client.Trace = line => trace.Enqueue(line);
            try
            {
                var task = Task.Run(() => work(Cancellation), Cancellation);
                while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(200))
                {
                    Drain(trace);
                    var status = progress?.Invoke();
                    if (status != null) WriteProgress(new ProgressRecord(3, activity, status));
                }
                Drain(trace);
                if (progress != null) WriteProgress(new ProgressRecord(3, activity, "done") { RecordType = ProgressRecordType.Completed });
                return task.GetAwaiter().GetResult();
            }
            catch (ApiException e)
            {
                ThrowTerminatingError(ToError(e));
                throw; // unreachable
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(Errors.Create("AuthingInvalidArgument", ErrorCategory.InvalidArgument, null, Redaction.Redact(e.Message)));
                throw;
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

        private void Drain(ConcurrentQueue<string> trace)
        {
            while (trace.TryDequeue(out var line)) WriteDebug(Redaction.Redact(line));
        }

        internal static ErrorRecord ToError(ApiException e)
        {
            var category = e.Code.StartsWith("401") || e.Code.StartsWith("403") || e.Code == "credentials" ? ErrorCategory.AuthenticationError
                : e.IsTransient ? ErrorCategory.ConnectionError : ErrorCategory.InvalidOperation;
            return Errors.Create("Authing" + e.Code.Replace("/", "_").Replace(":", "_"), category, e.Endpoint, Redaction.Redact(e.Message), e.RecommendedAction, e);
        }
    }
}
