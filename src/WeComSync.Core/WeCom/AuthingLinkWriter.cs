using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using WeComSync.Authing;
using WeComSync.Http;
using WeComSync.Model;

namespace WeComSync.WeCom
{
    /// <summary>
    /// Write-back over the Authing client: after WeComSync creates (or links) an object in WeCom, the WeCom id goes
    /// into the Authing object's link fields (names from the connection's <see cref="LinkFieldNames"/>), so the next
    /// run matches on it instead of creating again.
    /// <para>
    /// User links go out in update-user-batch calls of up to <see cref="BatchSize"/> users, self-clocked: a link is
    /// sent at once when no batch is in flight, otherwise it waits for the batch in flight to come back and goes with
    /// everything that gathered meanwhile (a full batch goes at once). So a lone link costs no wait, and at any rate
    /// the links cost about one Authing call per round trip instead of one per user. update-user-batch documents no
    /// size (docs-v3 批量修改用户资料: list, no 数组长度限制), so a batch refused for its size (413, or 400: see
    /// <see cref="AuthingClient.IsSizeRefusal"/>) is sent again in halves, down to one user per call (update-user); a
    /// 413 also lowers the size of the batches after it. That also isolates a user whose own fields refuse the batch.
    /// Any other refusal is retried one user per call, so the others still get their link; each caller's task ends with
    /// its own user's outcome.
    /// </para>
    /// </summary>
    public sealed class AuthingLinkWriter : IWeComLinkWriter
    {
        private readonly AuthingClient _client;
        private readonly string _organizationCode;
        private readonly object _gate = new object();
        private readonly List<PendingLink> _pending = new List<PendingLink>();
        private int _batchesInFlight;

        public AuthingLinkWriter(AuthingClient client, string organizationCode)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _organizationCode = organizationCode;
        }

        /// <summary>Users per update-user-batch call (Authing takes at most 50, as for its other batch calls).</summary>
        public int BatchSize { get; set; } = AuthingClient.PageSize;

        private LinkFieldNames Links => _client.Settings.LinkFields ?? new LinkFieldNames();

        public Task WriteDepartmentLinkAsync(Department source, string weComId, string weComParentId, CancellationToken cancellationToken)
        {
            if (string.IsNullOrEmpty(_organizationCode)) throw new InvalidOperationException("No Authing organization code for the department write-back: pass -OrganizationCode or connect with one.");
            var custom = new JObject { [Links.DepartmentId] = weComId, [Links.ParentDepartmentId] = weComParentId ?? "" };
            return _client.UpdateDepartmentAsync(_organizationCode, source.SourceId ?? source.Key, null, null, custom, cancellationToken);
        }

        public Task WriteUserLinkAsync(User source, string userId, IReadOnlyList<string> weComDepartmentIds, CancellationToken cancellationToken)
        {
            if (string.IsNullOrEmpty(source.SourceId)) throw new InvalidOperationException("The Authing user has no userId to write the link to.");
            var custom = new JObject
            {
                [Links.UserId] = userId,
                [Links.UserDepartmentIds] = string.Join(LinkFieldNames.ListSeparator.ToString(), weComDepartmentIds ?? Array.Empty<string>()),
            };
            // Only the link fields change; status and gender go along as read, so update-user's documented defaults
            // (Activated, U) can never reactivate a suspended user or reset a gender (AuthingClient.UpdateUserAsync).
            var body = AuthingClient.KeepUnchanged(new JObject { ["userId"] = source.SourceId, ["customData"] = custom }, source);
            var link = new PendingLink(source.SourceId, body);
            List<PendingLink> batch = null;
            lock (_gate)
            {
                _pending.Add(link);
                if (_pending.Count >= Size || _batchesInFlight < MaxBatchesInFlight) batch = TakeBatchLocked();
            }
            if (batch != null) _ = SendFromAsync(batch, cancellationToken);
            return link.Done.Task;
        }

        private int Size => Math.Max(1, Math.Min(Math.Min(BatchSize, AuthingClient.PageSize), Volatile.Read(ref _sizeLimit)));

        // Lowered when the service answers 413 (the body too large): later batches start at the size that was taken.
        private int _sizeLimit = int.MaxValue;

        /// <summary>Users per call after the service refused a batch for its size (int.MaxValue while none was).</summary>
        public int LearnedSizeLimit => Volatile.Read(ref _sizeLimit);

        // Two, so that one batch held up by its retries (a busy answer, a 429) does not hold every link behind it.
        private const int MaxBatchesInFlight = 2;

        private List<PendingLink> TakeBatchLocked()
        {
            int n = Math.Min(Size, _pending.Count);
            var batch = _pending.GetRange(0, n);
            _pending.RemoveRange(0, n);
            _batchesInFlight++;
            return batch;
        }

        /// <summary>Sends <paramref name="batch"/>, then whatever gathered meanwhile, until nothing waits. Never throws: every link's task gets its outcome.</summary>
        private async Task SendFromAsync(List<PendingLink> batch, CancellationToken cancellationToken)
        {
            while (batch != null)
            {
                await SendAsync(batch, cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    _batchesInFlight--;
                    batch = _pending.Count > 0 && _batchesInFlight < MaxBatchesInFlight ? TakeBatchLocked() : null;
                }
            }
        }

        private async Task SendAsync(List<PendingLink> batch, CancellationToken cancellationToken)
        {
            try
            {
                if (batch.Count == 1)
                {
                    await SendOneAsync(batch[0], cancellationToken).ConfigureAwait(false);
                    return;
                }
                List<AuthingUserDto> answered;
                try
                {
                    answered = await _client.UpdateUsersBatchAsync(batch.Select(l => l.Body).ToList(), cancellationToken).ConfigureAwait(false);
                }
                catch (ApiException e) when (AuthingClient.IsSizeRefusal(e) && !e.StopsRun)
                {
                    // Too big (or one bad user in it): the same links again in two halves, each halved again if refused.
                    int half = batch.Count / 2;
                    if (AuthingClient.IsPayloadTooLarge(e)) LowerSizeLimit(half);
                    await SendAsync(batch.GetRange(0, half), cancellationToken).ConfigureAwait(false);
                    await SendAsync(batch.GetRange(half, batch.Count - half), cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (ApiException e) when (!e.IsTransient && !e.StopsRun)
                {
                    // The service refuses the whole batch for one bad user: one call per user, so the others still get their link.
                    foreach (var link in batch) await SendOneAsync(link, cancellationToken).ConfigureAwait(false);
                    return;
                }
                var updated = new HashSet<string>(answered.Where(u => u?.UserId != null).Select(u => u.UserId), StringComparer.Ordinal);
                foreach (var link in batch)
                {
                    // A user missing from the answer is not known to be linked: write it alone (the update is idempotent).
                    if (updated.Contains(link.AuthingUserId)) link.Done.TrySetResult(true);
                    else await SendOneAsync(link, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                foreach (var link in batch) link.Done.TrySetCanceled();
            }
            catch (Exception e)
            {
                foreach (var link in batch) link.Done.TrySetException(e);
            }
        }

        private void LowerSizeLimit(int size)
        {
            size = Math.Max(1, size);
            int seen;
            while (size < (seen = Volatile.Read(ref _sizeLimit)) && Interlocked.CompareExchange(ref _sizeLimit, size, seen) != seen) { }
        }

        private async Task SendOneAsync(PendingLink link, CancellationToken cancellationToken)
        {
            try
            {
                var fields = (JObject)link.Body.DeepClone();
                fields.Remove("userId");
                await _client.UpdateUserAsync(link.AuthingUserId, fields, cancellationToken).ConfigureAwait(false);
                link.Done.TrySetResult(true);
            }
            catch (OperationCanceledException)
            {
                link.Done.TrySetCanceled();
            }
            catch (Exception e)
            {
                link.Done.TrySetException(e);
            }
        }

        private sealed class PendingLink
        {
            public PendingLink(string authingUserId, JObject body)
            {
                AuthingUserId = authingUserId;
                Body = body;
            }

            public string AuthingUserId { get; }
            public JObject Body { get; }

            // Continuations run on the pool, never inline on the sender's loop.
            public TaskCompletionSource<bool> Done { get; } = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
