using System;
using System.Collections.Generic;
using System.Management.Automation;
using WeComSync.Apply;
using WeComSync.Authing;
using WeComSync.Http;
using WeComSync.Model;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>
    /// Sync-AuthingDepartment and Sync-AuthingUser: collect the piped changes, then apply them through the generic
    /// <see cref="PlanApplier"/> (every ShouldProcess first, delete guard, bounded parallelism) with the Authing applier of
    /// the kind. One Result per change goes to the pipeline; each failed change is also an error record.
    /// </summary>
    public abstract class AuthingSyncCmdlet : AuthingCmdlet
    {
        private readonly List<Change> _changes = new List<Change>();

        /// <summary>Changes from Compare-Directory (or Import-Clixml of a saved plan).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 0)]
        [AllowEmptyCollection]
        [Conversion.ChangeTransformation]
        public Change[] InputObject { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string OrganizationCode { get; set; }

        /// <summary>The WeCom identity the organization's root stands for (the export's top department, when it is mapped onto the root).</summary>
        [Parameter]
        public string RootLinkId { get; set; }

        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = ApplyOptions.DefaultThrottleLimit;

        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int MaxDelete { get; set; } = DeleteGuard.DefaultMaxDelete;

        [Parameter]
        [ValidateRange(0, 100)]
        public double MaxDeletePercent { get; set; } = DeleteGuard.DefaultMaxDeletePercent;

        /// <summary>Apply deletes beyond the delete guard's limits.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected abstract ObjectKind Kind { get; }

        protected abstract IChangeApplier CreateApplier(AuthingConnection connection, string organizationCode);

        protected override void ProcessRecord()
        {
            foreach (var change in InputObject ?? Array.Empty<Change>())
            {
                if (change == null) continue;
                if (change.Kind != Kind)
                {
                    WriteError(Errors.Create("WrongChangeKind", ErrorCategory.InvalidArgument, change,
                        $"{change} is a {change.Kind} change; {MyInvocation.MyCommand.Name} applies {Kind} changes.", $"Pipe {change.Kind} changes to Sync-Authing{change.Kind}."));
                    continue;
                }
                _changes.Add(change);
            }
        }

        protected override void EndProcessing()
        {
            if (_changes.Count == 0) return;
            var connection = RequireConnection();
            var organization = RequireOrganization(connection, OrganizationCode);
            var applier = new PlanApplier(new CmdletSyncHost(this, Cancellation), new ApplyOptions
            {
                ThrottleLimit = ThrottleLimit,
                DeleteGuard = new DeleteGuard { MaxDelete = MaxDelete, MaxDeletePercent = MaxDeletePercent, Force = Force },
            });
            var previous = connection.Client.Trace;
            connection.Client.Trace = applier.PostVerbose;
            try
            {
                applier.Apply(_changes, CreateApplier(connection, organization), result =>
                {
                    WriteObject(result);
                    if (result.Outcome == Outcome.Failed)
                    {
                        WriteError(Errors.Create("AuthingSync" + (result.ErrorCode ?? "").Replace("/", "_").Replace(":", "_"), ErrorCategory.WriteError, result.Change,
                            Redaction.Redact($"{result.Change}: {result.ErrorCode} {result.Error}")));
                    }
                });
            }
            catch (DeleteGuardException e)
            {
                ThrowTerminatingError(Errors.Create("DeleteGuard", ErrorCategory.LimitsExceeded, _changes, e.Message,
                    "Review the plan with -WhatIf; raise -MaxDelete/-MaxDeletePercent or use -Force if it is right."));
            }
            catch (RunStoppedException e)
            {
                ThrowTerminatingError(Errors.Create("RunStopped", ErrorCategory.ResourceBusy, _changes, Redaction.Redact(e.Message),
                    "The changes not applied are in the results as Skipped; run the sync again at the time given."));
            }
            catch (ApiException e)
            {
                ThrowTerminatingError(ToError(e));
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(Errors.Create("AuthingInvalidArgument", ErrorCategory.InvalidArgument, null, Redaction.Redact(e.Message)));
            }
            finally
            {
                connection.Client.Trace = previous;
            }
        }
    }
}
