using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using WeComSync.Apply;
using WeComSync.Http;
using WeComSync.Model;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>
    /// The Sync-* cmdlets of both services: collect the piped changes, then apply them through the generic
    /// <see cref="PlanApplier"/> (every ShouldProcess first on the pipeline thread, delete guard, bounded parallelism)
    /// with the service's applier for the kind. One Result per change goes to the pipeline; each failed change is also
    /// an error record.
    /// </summary>
    public abstract class ApiSyncCmdlet<TConnection> : ApiCmdlet<TConnection> where TConnection : class
    {
        private readonly List<Change> _changes = new List<Change>();

        /// <summary>Changes from Compare-Directory (or Import-Clixml of a saved plan).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 0)]
        [AllowEmptyCollection]
        [Conversion.ChangeTransformation]
        public Change[] InputObject { get; set; }

        /// <summary>The Authing organization the departments belong to; default: the Authing connection's.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(OrganizationCodeCompleter))]
        public string OrganizationCode { get; set; }

        /// <summary>
        /// Most changes applied at once: an optional ceiling. Without it the number in flight adapts to the service
        /// (grows while calls succeed quickly, halves on throttling), up to 64, under the connection's rate limit.
        /// </summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; }

        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int MaxDelete { get; set; } = DeleteGuard.DefaultMaxDelete;

        [Parameter]
        [ValidateRange(0, 100)]
        public double MaxDeletePercent { get; set; } = DeleteGuard.DefaultMaxDeletePercent;

        /// <summary>Apply deletes beyond the delete guard's limits, and a saved plan without re-reading its targets for drift.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>
        /// A sync run's run-log step: every result is recorded there as soon as it is known, before it is written to
        /// the pipeline, so the counts of an interrupted run (Ctrl+C) match what was written.
        /// </summary>
        [Parameter(DontShow = true)]
        public WeComSync.RunLog.RunStep RunStep { get; set; }

        protected abstract ObjectKind Kind { get; }

        /// <summary>The service's applier for <see cref="Kind"/>; may stop the cmdlet (missing organization …).</summary>
        protected abstract IChangeApplier CreateApplier(TConnection connection);

        /// <summary>The clients the apply calls, whose HTTP traces go to Verbose (the write-back adds Authing's).</summary>
        protected virtual IEnumerable<ITraceable> TracedClients(TConnection connection) => new[] { ClientOf(connection) };

        /// <summary>Null when the plan may be applied through this connection; else why not (it was computed against another directory).</summary>
        protected abstract string TargetMismatch(TConnection connection);

        /// <summary>The directory the plan was computed against, as its changes record it; null for hand-built changes.</summary>
        protected DirectoryInstance PlannedTarget => _changes.Select(c => c.Plan?.Target).FirstOrDefault(t => t != null);

        /// <summary>The directory the plan's wanted side was read from; null for an export file.</summary>
        protected DirectoryInstance PlannedSource => _changes.Select(c => c.Plan?.Source).FirstOrDefault(t => t != null);

        protected override void ProcessRecord()
        {
            foreach (var change in InputObject ?? Array.Empty<Change>())
            {
                if (change == null) continue;
                if (change.Kind != Kind)
                {
                    WriteError(Errors.Create("WrongChangeKind", ErrorCategory.InvalidArgument, change,
                        $"{change} is a {change.Kind} change; {MyInvocation.MyCommand.Name} applies {Kind} changes.", $"Pipe {change.Kind} changes to Sync-{Service}{change.Kind}."));
                    continue;
                }
                _changes.Add(change);
            }
        }

        protected override void EndProcessing()
        {
            if (_changes.Count == 0) return;
            var connection = RequireConnection();
            // First of all: a plan computed against another directory is refused before this one is even read.
            string mismatch = TargetMismatch(connection);
            if (mismatch != null)
            {
                ThrowTerminatingError(Errors.Create("PlanTargetMismatch", ErrorCategory.InvalidOperation, _changes, mismatch + " Nothing was applied.",
                    "Compare again against this directory and review the new plan, or connect to the one the plan was computed against."));
            }
            var changeApplier = CreateApplier(connection);
            var applier = new PlanApplier(Output, new ApplyOptions
            {
                ThrottleLimit = ThrottleLimit,
                DeleteGuard = new DeleteGuard { MaxDelete = MaxDelete, MaxDeletePercent = MaxDeletePercent, Force = Force },
                // A saved (or old) plan is checked against the targets as they are now; -Force applies it as it stands.
                CheckDrift = !Force && DriftCheck.IsDue(_changes, Conversion.ModelConverter.IsRestored, DateTimeOffset.Now),
            });
            var traces = TracedClients(connection).Where(c => c != null).Distinct().Select(Output.Trace).ToList();
            bool stopped = false;
            try
            {
                applier.Apply(_changes, changeApplier, result =>
                {
                    RunStep?.Record(result);
                    // Once the pipeline is stopped (Ctrl+C) nothing more can be written; the applier still finishes the
                    // writes in flight, and their results still reach the run step above.
                    if (stopped) return;
                    try
                    {
                        WriteObject(result);
                        if (result.Outcome == Outcome.Stale) WriteWarning($"{result.Change}: {result.Error}");
                        if (result.Outcome == Outcome.Failed)
                        {
                            WriteError(Errors.AboutOneObject(Errors.FailedChange(Service, result), MyInvocation));
                        }
                    }
                    catch (PipelineStoppedException) { stopped = true; }
                });
                if (stopped) throw new PipelineStoppedException();
            }
            catch (DeleteGuardException e)
            {
                ThrowTerminatingError(Errors.Create("DeleteGuard", ErrorCategory.LimitsExceeded, _changes, e.Message,
                    "Review the plan with -WhatIf; raise -MaxDelete/-MaxDeletePercent or use -Force if it is right."));
            }
            catch (RunStoppedException e)
            {
                // The results (failed and skipped) are already out; the run ends with why and when to run again.
                ThrowTerminatingError(Errors.Create("RunStopped", ErrorCategory.ResourceBusy, _changes, Redaction.Redact(e.Message),
                    "The changes not applied are in the results as Skipped; run the sync again at the time given."));
            }
            catch (ApiException e)
            {
                ThrowTerminatingError(ToError(e, connection));
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(Errors.Create(Service + "InvalidArgument", ErrorCategory.InvalidArgument, null, Redaction.Redact(e.Message)));
            }
            finally
            {
                foreach (var trace in traces) trace.Dispose();
                Output.Flush();
            }
        }
    }
}
