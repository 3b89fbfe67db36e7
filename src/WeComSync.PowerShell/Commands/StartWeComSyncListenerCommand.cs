using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Authing;
using WeComSync.Listener;
using WeComSync.PowerShell.Infrastructure;
using WeComSync.WeCom;

namespace WeComSync.PowerShell.Commands
{
    /// <summary>
    /// Serves WeCom's contact callbacks and Authing's webhooks and syncs each changed object on demand
    /// (<see cref="ListenerService"/>); runs until Ctrl+C or the stop file. The cmdlet only binds parameters and writes
    /// what the listener wrote, from the pipeline thread.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Start, "WeComSyncListener", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ListenerHealth))]
    public sealed class StartWeComSyncListenerCommand : PSCmdlet
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        [Parameter(Position = 0)]
        public string Prefix { get; set; } = ListenerHost.DefaultPrefix;

        [Parameter]
        public SecureString WeComToken { get; set; }

        [Parameter]
        public SecureString WeComEncodingAesKey { get; set; }

        [Parameter]
        public SecureString AuthingWebhookSecret { get; set; }

        [Parameter]
        public ListenerDirection Direction { get; set; } = ListenerDirection.None;

        [Parameter]
        public SwitchParameter Delete { get; set; }

        [Parameter]
        public Model.DeleteAction DeleteAction { get; set; } = Model.DeleteAction.Suspend;

        [Parameter]
        [ValidateRange(0, 100000)]
        public int MaxDeletePerHour { get; set; } = RollingDeleteGuard.DefaultMaxPerHour;

        [Parameter]
        [ValidateRange(0, 100000)]
        public int MaxDeletePerDepartment { get; set; } = RollingDeleteGuard.DefaultMaxPerDepartment;

        [Parameter]
        [ValidateRange(0, 60000)]
        public int CoalesceMilliseconds { get; set; } = 300;

        [Parameter]
        public string OrganizationCode { get; set; }

        [Parameter]
        public SwitchParameter IgnoreRootDepartment { get; set; }

        [Parameter]
        public string LogPath { get; set; }

        [Parameter]
        public string StopFile { get; set; }

        [Parameter]
        public SwitchParameter MaskPersonalData { get; set; }

        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; }

        [Parameter]
        public AuthingConnection AuthingConnection { get; set; }

        [Parameter]
        public WeComConnection WeComConnection { get; set; }

        protected override void StopProcessing() => _stop.Cancel();

        protected override void EndProcessing()
        {
            var authing = AuthingConnection ?? AuthingSession.Current;
            var wecom = WeComConnection ?? WeComSession.Current;
            if ((WeComToken == null) != (WeComEncodingAesKey == null))
                ThrowTerminatingError(Errors.Create("ListenerWeComKeyIncomplete", ErrorCategory.InvalidArgument, null,
                    "WeCom callbacks need both -WeComToken and -WeComEncodingAesKey.", "Give both, as set under the app's (or the contact sync's) API receive settings in the WeCom admin console."));
            if (WeComToken != null && wecom == null)
                ThrowTerminatingError(Errors.Create("WeComNotConnected", ErrorCategory.ConnectionError, null, "Not connected to WeCom: the callbacks are checked against its corp id, and each member is read from it.", WeComCmdlet.Hint));
            string org = authing == null ? null : string.IsNullOrEmpty(OrganizationCode) ? authing.OrganizationCode : OrganizationCode;
            string logPath = string.IsNullOrEmpty(LogPath) ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(LogPath);
            string stopFile = string.IsNullOrEmpty(StopFile) ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(StopFile);
            // -WhatIf: one decision for the whole listener; every event is then planned and nothing written.
            bool whatIf = !ShouldProcess(Prefix, "Listen for WeCom and Authing change events and sync each changed object");
            bool dryRun = whatIf && IsWhatIf();
            if (whatIf && !dryRun) return;   // -Confirm answered no

            var engine = new EngineEventSync(authing, wecom, new EngineSyncOptions
            {
                OrganizationCode = org,
                LogPath = logPath,
                MaskPersonalData = MaskPersonalData,
                DeleteAction = DeleteAction,
                IgnoreRootDepartment = IgnoreRootDepartment,
                ThrottleLimit = ThrottleLimit,
                Parameters = LoggedParameters(),
            });
            var options = new ListenerServiceOptions
            {
                Prefix = Prefix,
                WeComToken = Plain(WeComToken),
                WeComEncodingAesKey = Plain(WeComEncodingAesKey),
                CorpId = wecom?.CorpId,
                AuthingWebhookSecret = Plain(AuthingWebhookSecret),
                UserLinkField = authing?.Client.Settings.LinkFields?.UserId,
                StopFile = stopFile,
                LogPath = logPath,
                Listener = new ListenerOptions
                {
                    Direction = Direction,
                    Delete = Delete,
                    DeleteAction = DeleteAction,
                    MaxDeletesPerHour = MaxDeletePerHour,
                    MaxDeletesPerDepartment = MaxDeletePerDepartment,
                    CoalesceWindow = TimeSpan.FromMilliseconds(CoalesceMilliseconds),
                    WhatIf = dryRun,
                },
            };
            var output = new CmdletOutputWriter(this, _stop.Token);
            ListenerService service;
            try { service = new ListenerService(engine, options, output); }
            catch (ArgumentException e) { ThrowTerminatingError(Errors.Create("ListenerInvalidArgument", ErrorCategory.InvalidArgument, null, Http.Redaction.Redact(e.Message), null)); return; }
            using (service)
            {
                var listener = service.Listener;
                if (listener.Direction == ListenerDirection.None)
                    WriteWarning("No direction can sync: each needs both Connect-Authing (with an organization) and Connect-WeCom. Events are taken and logged, and nothing is synced.");
                else if (listener.Unavailable != ListenerDirection.None)
                    WriteWarning($"-Direction {Direction}: {listener.Unavailable} is not possible with the connections made; listening for {listener.Direction} only.");
                if (dryRun) WriteWarning("What if: every event is planned and shown; nothing is written.");
                if (WeComToken != null) WriteVerbose($"WeCom callbacks: {service.Prefix}wecom (corp {wecom.CorpId}).");
                if (AuthingWebhookSecret != null) WriteVerbose($"Authing webhooks: {service.Prefix}authing.");
                WriteVerbose($"Health: {service.Prefix}health. Plain HTTP: put TLS in the reverse proxy in front.");
                Task run;
                try
                {
                    run = Task.Run(() => service.RunAsync(_stop.Token));
                    while (!((IAsyncResult)run).AsyncWaitHandle.WaitOne(200)) output.Flush();
                    output.Flush();
                    run.GetAwaiter().GetResult();
                }
                catch (InvalidOperationException e)
                {
                    output.Flush();
                    ThrowTerminatingError(Errors.Create("ListenerCannotListen", ErrorCategory.ResourceUnavailable, Prefix, Http.Redaction.Redact(e.Message), null));
                    return;
                }
                var health = listener.Health();
                if (_stop.IsCancellationRequested)
                {
                    try { Host.UI.WriteWarningLine($"Start-WeComSyncListener stopped (Ctrl+C): {health.Received} event(s) taken, {health.Batches} sync(s), {health.Refused} refused, {health.EchoesDropped} echo(es) dropped."); }
                    catch (Exception) { /* a host that cannot write any more */ }
                    throw new PipelineStoppedException();
                }
                WriteObject(health);
            }
        }

        private bool IsWhatIf()
        {
            if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out var given)) return given is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(given);
            return LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
        }

        private static string Plain(SecureString s) => s == null ? null : new NetworkCredential(string.Empty, s).Password;

        private System.Collections.IDictionary LoggedParameters()
        {
            var parameters = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in MyInvocation.BoundParameters)
            {
                var value = pair.Value is PSObject pso ? pso.BaseObject : pair.Value;
                if (value is SecureString || value is PSCredential || value is AuthingConnection || value is WeComConnection) continue;
                if (value is SwitchParameter sw) value = sw.IsPresent;
                parameters[pair.Key] = value;
            }
            parameters["Listener"] = true;
            return parameters;
        }
    }
}
