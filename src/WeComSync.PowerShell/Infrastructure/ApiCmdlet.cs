using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Http;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>
    /// What every Authing and WeCom cmdlet shares: -Connection (else the session's), Ctrl+C cancellation, the engine's
    /// output (<see cref="Output"/>: progress, notes, warnings, errors and the client's HTTP trace, all written from the
    /// pipeline thread) while core work runs off it, and ApiExceptions turned into error records that say what to do.
    /// </summary>
    public abstract class ApiCmdlet<TConnection> : PSCmdlet where TConnection : class
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        // The cmdlet is created on the pipeline thread, so its writer is too.
        protected ApiCmdlet()
        {
            Output = new CmdletOutputWriter(this, _stop.Token);
        }

        /// <summary>What the engine writes (give it to readers and appliers); HTTP traces reach it through <see cref="Run{T}"/>.</summary>
        internal CmdletOutputWriter Output { get; }

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

        /// <summary>What a service's error is about (an error record's TargetObject); default: the API path called.</summary>
        protected virtual object ErrorTarget(TConnection connection) => null;

        /// <summary>A service's error as this cmdlet's error record: the one mapping the runs use too (<see cref="Errors.FromApi"/>).</summary>
        protected ErrorRecord ToError(ApiException e, TConnection connection) => Errors.FromApi(e, ErrorTarget(connection));

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

        /// <summary>
        /// Runs <paramref name="work"/> off the pipeline thread with the client's HTTP trace going to <see cref="Output"/>;
        /// meanwhile writes what the work wrote there (progress, warnings …) from here.
        /// </summary>
        protected T Run<T>(TConnection connection, Func<CancellationToken, Task<T>> work)
        {
            var trace = Output.Trace(ClientOf(connection));
            try
            {
                var task = Task.Run(() => work(Cancellation), Cancellation);
                while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(200)) Output.Flush();
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
                trace.Dispose();
                Output.Flush();
            }
        }
    }
}
