using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Http;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>
    /// What every Authing and WeCom cmdlet shares: -Connection (else the session's), Ctrl+C cancellation, running core
    /// work off the pipeline thread while its progress and the client's HTTP trace (Verbose, through CmdletOutputWriter) are written from the pipeline
    /// thread, and ApiExceptions turned into error records that say what to do.
    /// </summary>
    public abstract class ApiCmdlet<TConnection> : PSCmdlet where TConnection : class
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        /// <summary>The connection to use; default: the one the Connect-* cmdlet made in this session.</summary>
        [Parameter]
        public TConnection Connection { get; set; }

        protected CancellationToken Cancellation => _stop.Token;

        protected override void StopProcessing() => _stop.Cancel();

        /// <summary>"Authing" or "WeCom": the prefix of error ids.</summary>
        protected abstract string Service { get; }

        /// <summary>The session's connection (Connect-* sets it), or null.</summary>
        protected abstract TConnection SessionConnection { get; }

        /// <summary>What to do when there is no connection.</summary>
        protected abstract string ConnectHint { get; }

        protected abstract ITraceable ClientOf(TConnection connection);

        protected abstract ErrorRecord ToError(ApiException e, TConnection connection);

        protected TConnection RequireConnection()
        {
            var connection = Connection ?? SessionConnection;
            if (connection == null)
            {
                ThrowTerminatingError(Errors.Create(Service + "NotConnected", ErrorCategory.ConnectionError, null,
                    $"Not connected to {Service}.", ConnectHint));
            }
            return connection;
        }

        /// <summary>Runs <paramref name="work"/> off the pipeline thread; meanwhile writes its progress (status, percent or -1) and the client's trace from here.</summary>
        protected T Run<T>(TConnection connection, Func<CancellationToken, Task<T>> work, string activity, Func<(string Status, int Percent)> progress = null)
        {
            var output = new CmdletOutputWriter(this, Cancellation, activityId: 2);
            var client = ClientOf(connection);
            var previous = client.Trace;
            client.Trace = output.WriteTrace;
            try
            {
                var task = Task.Run(() => work(Cancellation), Cancellation);
                while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(200))
                {
                    output.Flush();
                    if (progress == null) continue;
                    var (status, percent) = progress();
                    output.WriteProgress(activity, status, Math.Min(percent, 99));
                }
                output.Flush();
                if (progress != null) output.WriteProgress(activity, "done", 100);
                return task.GetAwaiter().GetResult();
            }
            catch (ApiException e)
            {
                ThrowTerminatingError(ToError(e, connection));
                throw; // unreachable
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(Errors.Create(Service + "InvalidArgument", ErrorCategory.InvalidArgument, null, Redaction.Redact(e.Message)));
                throw;
            }
            catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            finally
            {
                client.Trace = previous;
            }
        }

        /// <summary>An API code as part of an ErrorId ("409/2001" → "409_2001").</summary>
        internal static string ErrorIdPart(string code) => (code ?? "").Replace("/", "_").Replace(":", "_");
    }
}
