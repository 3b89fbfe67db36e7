using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Authing;

namespace WeComSync.Listener
{
    /// <summary>What <see cref="AuthingWebhookRegistration.EnsureAsync"/> found or did.</summary>
    public sealed class WebhookRegistration
    {
        public AuthingWebhookDto Webhook { get; set; }

        /// <summary>Created, Updated, Unchanged, or WouldCreate/WouldUpdate (a dry run).</summary>
        public string Action { get; set; }

        /// <summary>What differed before (missing events, disabled, another secret, another content type).</summary>
        public List<string> Differences { get; } = new List<string>();

        public override string ToString() => $"{Action}: {Webhook}" + (Differences.Count > 0 ? " (" + string.Join("; ", Differences) + ")" : "");
    }

    /// <summary>
    /// Creates or checks the pool's webhook for the listener (create-webhook / list-webhooks / update-webhook): the one
    /// whose URL is the listener's public URL (the reverse proxy's, not 127.0.0.1), enabled, JSON, with the user and
    /// department events, and the secret the listener checks.
    /// </summary>
    public static class AuthingWebhookRegistration
    {
        /// <summary>
        /// The user and department create/update/delete events the pool offers (its event list names department events
        /// "organization:…" or "department:…" depending on the deployment); the user events alone when the list cannot be read.
        /// </summary>
        public static async Task<List<string>> EventsToSubscribeAsync(AuthingClient client, CancellationToken ct)
        {
            List<string> offered;
            try { offered = await client.ListWebhookEventsAsync(ct).ConfigureAwait(false); }
            catch (Http.ApiException e) when (!e.IsFatal) { offered = new List<string>(); }
            var wanted = offered.Where(v =>
            {
                int colon = v.IndexOf(':');
                if (colon <= 0) return false;
                string subject = v.Substring(0, colon), verb = v.Substring(colon + 1);
                return (subject == "user" || subject == "organization" || subject == "department") && (verb == "created" || verb == "updated" || verb == "deleted");
            }).ToList();
            return wanted.Count > 0 ? wanted : AuthingWebhookHandler.Events.Where(e => e.StartsWith("user:", StringComparison.Ordinal)).ToList();
        }

        public const string DefaultName = "WeComSync listener";

        public static async Task<WebhookRegistration> EnsureAsync(AuthingClient client, string url, string secret, string name, bool whatIf, CancellationToken ct)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new ArgumentException($"The webhook URL '{url}' is not an absolute http(s) URL: give the address Authing reaches the listener at (the reverse proxy's), ending in /authing.", nameof(url));
            if (string.IsNullOrEmpty(secret)) throw new ArgumentException("A webhook secret is needed: the listener refuses webhooks without it.", nameof(secret));
            var events = await EventsToSubscribeAsync(client, ct).ConfigureAwait(false);
            var existing = (await client.ListWebhooksAsync(ct).ConfigureAwait(false))
                .FirstOrDefault(w => string.Equals(w.Url?.TrimEnd('/'), url.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
            var result = new WebhookRegistration();
            if (existing == null)
            {
                result.Action = whatIf ? "WouldCreate" : "Created";
                result.Webhook = whatIf
                    ? new AuthingWebhookDto { Name = name ?? DefaultName, Url = url, Events = events, Enabled = true, ContentType = "application/json" }
                    : await client.CreateWebhookAsync(name ?? DefaultName, url, events, secret, ct).ConfigureAwait(false);
                return result;
            }
            var missing = events.Where(e => !existing.Events.Contains(e, StringComparer.Ordinal)).ToList();
            if (missing.Count > 0) result.Differences.Add("missing events: " + string.Join(", ", missing));
            if (!existing.Enabled) result.Differences.Add("disabled");
            if (!string.Equals(existing.ContentType, "application/json", StringComparison.OrdinalIgnoreCase)) result.Differences.Add("content type " + existing.ContentType);
            if (existing.HasSecret && !ConstantTime.Equals(existing.Secret, secret)) result.Differences.Add("another secret");
            result.Webhook = existing;
            if (result.Differences.Count == 0) { result.Action = "Unchanged"; return result; }
            result.Action = whatIf ? "WouldUpdate" : "Updated";
            if (!whatIf)
            {
                var all = existing.Events.Union(events, StringComparer.Ordinal).ToList();
                await client.UpdateWebhookAsync(existing.WebhookId, all, secret, true, ct).ConfigureAwait(false);
                existing.Events = all;
                existing.Enabled = true;
                existing.ContentType = "application/json";
            }
            return result;
        }
    }
}
