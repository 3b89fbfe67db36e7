using System;
using System.Collections.Generic;
using System.Management.Automation;
using WeComSync.Apply;
using WeComSync.Http;
using WeComSync.Model;
using WeComSync.WeCom;

namespace WeComSync.PowerShell.Infrastructure
{
    /// <summary>
    /// Sync-WeComDepartment and Sync-WeComUser: collect the piped changes, then apply them through the generic
    /// <see cref="PlanApplier"/> (ShouldProcess first, delete guard, bounded parallelism) with the WeCom applier of the
    /// kind. One Result per change goes to the pipeline; each failed change is also an error record.
    /// </summary>
    public abstract class WeComSyncCmdlet : WeComCmdlet
    {
        private readonly List<Change> _changes = new List<Change>();

        /// <summary>Changes from Compare-Directory (or Import-Clixml of a saved plan).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 0)]
        [AllowEmptyCollection]
        [WeComSync.PowerShell.Conversion.ChangeTransformation]
        public Change[] InputObject { get; set; }

        /// <summary>Most changes applied at once (parallel WeCom calls).</summary>
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

        /// <summary>Do not write new WeCom ids back to Authing's link fields.</summary>
        [Parameter]
        public SwitchParameter NoWriteBack { get; set; }

        /// <summary>Where the write-back goes; default: the session's Connect-Authing connection.</summary>
        [Parameter]
        public WeComSync.Authing.AuthingConnection AuthingConnection { get; set; }

        /// <summary>The Authing organization of the departments (write-back); default: the Authing connection's.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string OrganizationCode { get; set; }

        protected abstract ObjectKind Kind { get; }

        protected abstract IChangeApplier CreateApplier(WeComConnection connection, WeComApplyOptions options);

        /// <summary>The write-back target, or null when there is none (no Authing connection, -NoWriteBack).</summary>
        protected virtual IWeComLinkWriter CreateLinkWriter()
        {
            var authing = AuthingConnection ?? AuthingSession.Current;
            if (authing == null)
            {
                WriteWarning("Not connected to Authing: new WeCom ids are not written back to Authing's link fields, so the next run cannot match on them. Run Connect-Authing first, or pass -NoWriteBack to silence this.");
                return null;
            }
            return new AuthingLinkWriter(authing.Client, string.IsNullOrEmpty(OrganizationCode) ? authing.OrganizationCode : OrganizationCode);
        }

        protected override void ProcessRecord()
        {
            foreach (var change in InputObject ?? Array.Empty<Change>())
            {
                if (change == null) continue;
                if (change.Kind != Kind)
                {
                    WriteError(Errors.Create("WrongChangeKind", ErrorCategory.InvalidArgument, change,
                        $"{change} is a {change.Kind} change; {MyInvocation.MyCommand.Name} applies {Kind} changes.", $"Pipe {change.Kind} changes to Sync-WeCom{change.Kind}."));
                    continue;
                }
                _changes.Add(change);
            }
        }

        protected override void EndProcessing()
        {
            if (_changes.Count == 0) return;
            var connection = RequireConnection();
            var options = new WeComApplyOptions { Ids = connection.DepartmentIds, LinkWriter = NoWriteBack ? null : CreateLinkWriter() };
            ConfigureOptions(options);
            var applier = new PlanApplier(new CmdletSyncHost(this, Cancellation), new ApplyOptions
            {
                ThrottleLimit = ThrottleLimit,
                DeleteGuard = new DeleteGuard { MaxDelete = MaxDelete, MaxDeletePercent = MaxDeletePercent, Force = Force },
            });
            var previous = connection.Client.Trace;
            connection.Client.Trace = applier.PostVerbose;
            try
            {
                applier.Apply(_changes, CreateApplier(connection, options), result =>
                {
                    WriteObject(result);
                    if (result.Outcome == Outcome.Failed)
                    {
                        WriteError(Errors.Create("WeComSync" + result.ErrorCode, ErrorCategory.WriteError, result.Change,
                            $"{result.Change}: {result.ErrorCode} {result.Error}"));
                    }
                });
            }
            catch (DeleteGuardException e)
            {
                ThrowTerminatingError(Errors.Create("DeleteGuard", ErrorCategory.LimitsExceeded, _changes, e.Message,
                    "Review the plan with -WhatIf; raise -MaxDelete/-MaxDeletePercent or use -Force if it is right."));
            }
            catch (ApiException e)
            {
                ThrowTerminatingError(ToError(e, connection));
            }
            finally
            {
                connection.Client.Trace = previous;
            }
        }

        protected virtual void ConfigureOptions(WeComApplyOptions options) { }
    }
}
