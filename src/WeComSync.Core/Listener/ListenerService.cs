using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace WeComSync.Listener
{
    /// <summary>Everything Start-WeComSyncListener is given (secrets as plain text here: the cmdlet unwraps its SecureStrings, nothing logs them).</summary>
    public sealed class ListenerServiceOptions
    {
        public string Prefix { get; set; } = ListenerHost.DefaultPrefix;

        /// <summary>The callback Token and EncodingAESKey set in the WeCom admin console; null: no <c>wecom</c> endpoint.</summary>
        public string WeComToken { get; set; }
        public string WeComEncodingAesKey { get; set; }

        /// <summary>The corp id every callback must be addressed to (the WeCom connection's).</summary>
        public string CorpId { get; set; }

        /// <summary>The webhook secret (X-Authing-Token); null: no <c>authing</c> endpoint.</summary>
        public string AuthingWebhookSecret { get; set; }

        /// <summary>The Authing link field holding a user's WeCom userid.</summary>
        public string UserLinkField { get; set; }

        /// <summary>A file whose appearance stops the listener (a scheduler's or a script's way to stop it).</summary>
        public string StopFile { get; set; }

        public string LogPath { get; set; }

        public EndpointLimits Limits { get; set; } = new EndpointLimits();
        public ListenerOptions Listener { get; set; } = new ListenerOptions();
    }

    /// <summary>
    /// The listener put together: the HTTP host, the endpoints, the queue and its workers, the stop file. Runs until
    /// cancelled (Ctrl+C) or the stop file appears; then stops taking requests, lets running syncs finish (or records
    /// them Interrupted after the grace time) and logs what was left.
    /// </summary>
    public sealed class ListenerService : IDisposable
    {
        private readonly ListenerServiceOptions _options;
        private readonly IOutputWriter _output;
        private readonly ListenerLog _log;
        private readonly ListenerHost _host;

        public ListenerService(IEventSync sync, ListenerServiceOptions options, IOutputWriter output)
        {
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _output = output ?? NullOutputWriter.Instance;
            if (options.WeComToken == null && options.AuthingWebhookSecret == null)
                throw new ArgumentException("Give -WeComToken and -WeComEncodingAesKey (WeCom callbacks), -AuthingWebhookSecret (Authing webhooks), or both: otherwise there is nothing to listen to.");
            WeComCallbackHandler wecom = null;
            if (options.WeComToken != null)
                wecom = new WeComCallbackHandler(new WeComCallbackCrypto(options.WeComToken, options.WeComEncodingAesKey, options.CorpId), options.Limits);
            var authing = options.AuthingWebhookSecret == null ? null : new AuthingWebhookHandler(options.AuthingWebhookSecret, options.UserLinkField, options.Limits);
            if (!string.IsNullOrEmpty(options.StopFile) && File.Exists(options.StopFile))
                throw new ArgumentException($"The stop file '{options.StopFile}' already exists: remove it first, or the listener would stop at once.");
            _log = ListenerLog.Start(options.LogPath, DateTimeOffset.Now);
            Listener = new SyncListener(sync, options.Listener, _output, _log);
            _host = new ListenerHost(options.Prefix, Listener, wecom, authing, options.Limits);
            Http.Redaction.Register(options.WeComToken);
            Http.Redaction.Register(options.WeComEncodingAesKey);
            Http.Redaction.Register(options.AuthingWebhookSecret);
        }

        public SyncListener Listener { get; }
        public string Prefix => _host.Prefix;
        public string LogFile => _log.Path;

        /// <summary>Why the listener stopped: "cancelled" or "stop file".</summary>
        public string StoppedBy { get; private set; }

        /// <summary>Serves until <paramref name="cancel"/> or the stop file; returns when everything has stopped.</summary>
        public async Task RunAsync(CancellationToken cancel)
        {
            _host.Start();
            _log.Write("started", null, null, null, $"{_host.Prefix}; direction {Listener.Direction}{(_options.Listener.WhatIf ? "; what if" : "")}");
            using (var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel))
            using (var interrupt = new CancellationTokenSource())
            {
                var serving = _host.ServeAsync(stop.Token);
                var watching = WatchStopFileAsync(stop);
                await Listener.RunAsync(stop.Token, interrupt).ConfigureAwait(false);
                StoppedBy = cancel.IsCancellationRequested ? "cancelled" : "stop file";
                stop.Cancel();
                await serving.ConfigureAwait(false);
                await watching.ConfigureAwait(false);
            }
            _log.Write("stopped", null, null, null, StoppedBy);
        }

        private async Task WatchStopFileAsync(CancellationTokenSource stop)
        {
            if (string.IsNullOrEmpty(_options.StopFile)) return;
            while (!stop.IsCancellationRequested)
            {
                if (File.Exists(_options.StopFile))
                {
                    _output.WriteVerbose($"The stop file '{_options.StopFile}' appeared: stopping.");
                    stop.Cancel();
                    return;
                }
                try { await Task.Delay(250, stop.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }

        public void Dispose()
        {
            _host.Dispose();
            _log.Dispose();
        }
    }
}
