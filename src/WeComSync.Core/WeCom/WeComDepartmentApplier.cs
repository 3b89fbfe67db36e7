using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using WeComSync.Apply;
using WeComSync.Comparison;
using WeComSync.Http;
using WeComSync.Model;

namespace WeComSync.WeCom
{
    /// <summary>
    /// Applies department changes to WeCom. Creates, updates and moves run level by level, parents first, so a child
    /// created in the same run gets its parent's new id; deletes run deepest first, and a department whose child could
    /// not be deleted is skipped (WeCom deletes only empty departments). The root (id 1) is never created, renamed or deleted.
    /// </summary>
    public sealed class WeComDepartmentApplier : IChangeApplier, IDriftReader, IUndoable
    {

        public UndoTarget UndoTarget => new UndoTarget { Service = WeComErrors.Service, Kind = ObjectKind.Department };

        private readonly WeComClient _client;
        private readonly WeComApplyOptions _options;
        private readonly ConcurrentDictionary<string, bool> _deleteFailed = new ConcurrentDictionary<string, bool>();

        public WeComDepartmentApplier(WeComClient client, WeComApplyOptions options = null)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _options = options ?? new WeComApplyOptions();
        }

        public string TargetName => "WeCom";

        public string DescribeTarget(Change change)
        {
            var d = (change.Desired ?? change.Current) as Department;
            var id = (change.Current as Department)?.Key;
            return $"department {d?.Path ?? d?.Name ?? change.Key}{(id == null ? "" : " (id " + id + ")")} in WeCom";
        }

        public string DescribeAction(Change change)
        {
            switch (change.Operation)
            {
                case ChangeOperation.Create: return "Create";
                case ChangeOperation.Delete: return "Delete";
                // The fields WeCom is written (a link field is Authing's own): "Move: parentkey … -> …".
                case ChangeOperation.Move: return PlanText.Action("Move", change, f => !LinkChange.IsLink(f));
                default: return LinkChange.Only(change) ? "Write the link back to Authing" : PlanText.Action("Update", change, f => !LinkChange.IsLink(f));
            }
        }

        public Task PrepareAsync(IReadOnlyList<Change> approved, CancellationToken cancellationToken) => Task.CompletedTask;

        public IEnumerable<ApplyStage> BuildStages(IReadOnlyList<Change> approved) => DepartmentStages.ByLevel(approved, ApplyAsync, DeleteAsync);

        private async Task<Result> ApplyAsync(Change change, CancellationToken ct)
        {
            var desired = change.Desired as Department;
            var current = change.Current as Department;
            if (desired == null) return Results.Skipped(change, "The change carries no desired department.");
            if (desired.IsRoot || current?.IsRoot == true || current?.Key == "1")
            {
                return Results.Skipped(change, "The root department (WeCom id 1, the company) is never created, renamed or moved.");
            }
            try
            {
                return change.Operation == ChangeOperation.Create ? await CreateAsync(change, desired, ct).ConfigureAwait(false)
                    : await UpdateAsync(change, desired, current, ct).ConfigureAwait(false);
            }
            catch (ApiException e) { return Fail(change, e); }
        }

        /// <summary>Resolves the WeCom id of the desired parent: its link id, an id created earlier in this run, or the root for a top-level department.</summary>
        private string ParentIdOf(Department desired)
        {
            var id = _options.Ids.Resolve(desired.ParentLinkId) ?? _options.Ids.ForSourceKey(desired.ParentKey);
            if (id == null && (desired.ParentKey == null || desired.Depth <= 1)) id = "1";
            return id;
        }

        private async Task<Result> CreateAsync(Change change, Department desired, CancellationToken ct)
        {
            var parent = ParentIdOf(desired);
            if (parent == null)
            {
                return new Result { Change = change, Outcome = Outcome.Failed, ErrorCode = "parent", Error = $"The parent of {desired.Path ?? desired.Name} is not in WeCom (its create failed or was not approved): nothing was sent." };
            }
            if (string.IsNullOrWhiteSpace(desired.Name))
            {
                return new Result { Change = change, Outcome = Outcome.Failed, ErrorCode = "name", Error = "The department has no name: nothing was sent." };
            }
            long parentId = long.Parse(parent, CultureInfo.InvariantCulture);
            long newId;
            string note = null;
            try
            {
                newId = await _client.CreateDepartmentAsync(desired.Name, parentId, desired.Order, ct).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.Is(WeComErrorCodes.DepartmentExists) || e.OutcomeUnknown)
            {
                // A sibling with this name exists (an earlier, interrupted run created it, or it was made by hand):
                // link to it instead of failing, so re-runs converge.
                var existing = await FindChildByNameAsync(parentId, desired.Name, ct).ConfigureAwait(false);
                if (existing == null && !e.OutcomeUnknown) throw;
                if (existing == null)
                {
                    // The lost create was not applied (no such department): sending it again is safe now. Once.
                    newId = await _client.CreateDepartmentAsync(desired.Name, parentId, desired.Order, ct).ConfigureAwait(false);
                    note = "the first create was lost before it arrived: created on the second attempt";
                }
                else
                {
                    newId = existing.Value;
                    note = $"already existed in WeCom (id {newId}): linked";
                }
            }
            var newKey = WeComMapping.Id(newId);
            _options.Ids.Set(desired.Key, newKey);
            if (desired.SourceId != null) _options.Ids.Set(desired.SourceId, newKey);
            var result = Results.Succeeded(change, newKey);
            if (note != null) result.Error = note;
            await WriteBackAsync(result, desired, newKey, parent, ct).ConfigureAwait(false);
            return result;
        }

        private async Task<long?> FindChildByNameAsync(long parentId, string name, CancellationToken ct)
        {
            try
            {
                foreach (JObject d in await _client.ListDepartmentsAsync(ct, parentId).ConfigureAwait(false))
                {
                    if ((long?)d["parentid"] == parentId && string.Equals((string)d["name"], name, StringComparison.Ordinal)) return (long)d["id"];
                }
            }
            catch (ApiException) { /* names unreadable (48009): report the create's own error */ }
            return null;
        }

        private async Task<Result> UpdateAsync(Change change, Department desired, Department current, CancellationToken ct)
        {
            var idText = current?.Key ?? _options.Ids.Resolve(desired.LinkId);
            if (!WeComIdMap.IsWeComId(idText))
            {
                return new Result { Change = change, Outcome = Outcome.Failed, ErrorCode = "id", Error = "The WeCom id of this department is unknown: nothing was sent." };
            }
            var body = new JObject { ["id"] = long.Parse(idText, CultureInfo.InvariantCulture) };
            var fields = new HashSet<string>((change.Fields ?? new List<FieldChange>()).Select(f => f.Field), StringComparer.OrdinalIgnoreCase);
            if (fields.Contains("Name") && !string.IsNullOrWhiteSpace(desired.Name)) body["name"] = desired.Name;
            if (fields.Contains("Order") && desired.Order.HasValue) body["order"] = desired.Order.Value;
            string parent = null;
            if (change.Operation == ChangeOperation.Move || fields.Contains("ParentKey") || fields.Contains("ParentLinkId") || fields.Contains("Parent"))
            {
                parent = ParentIdOf(desired);
                if (parent == null)
                {
                    return new Result { Change = change, Outcome = Outcome.Failed, ErrorCode = "parent", Error = "The new parent is not in WeCom: nothing was sent." };
                }
                body["parentid"] = long.Parse(parent, CultureInfo.InvariantCulture);
            }
            bool linkBack = LinkChange.Carries(change);
            if (body.Count == 1 && !linkBack) return Results.Skipped(change, "Nothing WeCom can store differs.");
            if (body.Count == 1 && (_options.LinkWriter == null || desired.Source != DirectorySource.Authing))
            {
                return Results.Skipped(change, "Only the link to Authing is missing, and there is no Authing connection to write it to: nothing was sent.");
            }
            // Nothing for WeCom when only the link is missing (a lost write-back): just the Authing write below.
            if (body.Count > 1) await _client.UpdateDepartmentAsync(body, ct).ConfigureAwait(false);
            // Users and children later in this session resolve "authing:<id>" references to this department now.
            _options.Ids.Set(desired.Key, idText);
            if (desired.SourceId != null) _options.Ids.Set(desired.SourceId, idText);
            var result = Results.Succeeded(change);
            if (desired.LinkId == null) await WriteBackAsync(result, desired, idText, parent ?? current?.ParentKey, ct).ConfigureAwait(false);
            return result;
        }

        private async Task<Result> DeleteAsync(Change change, CancellationToken ct)
        {
            var current = change.Current as Department;
            var id = current?.Key;
            if (current == null || !WeComIdMap.IsWeComId(id)) return Results.Skipped(change, "The WeCom id of this department is unknown.");
            if (current.IsRoot || id == "1") return Results.Skipped(change, "The root department (WeCom id 1) is never deleted.");
            if (_deleteFailed.ContainsKey(id))
            {
                MarkParentsNotEmpty(current);
                return Results.Skipped(change, "A child department could not be deleted, so this one is not empty.");
            }
            try
            {
                await _client.DeleteDepartmentAsync(long.Parse(id, CultureInfo.InvariantCulture), ct).ConfigureAwait(false);
                return Results.Succeeded(change);
            }
            catch (ApiException e)
            {
                MarkParentsNotEmpty(current);
                if (e.Is(WeComErrorCodes.DepartmentHasMembers)) return Fail(change, e, "The department still has members: delete or move them first (Sync-WeComUser runs before Sync-WeComDepartment for deletes).");
                if (e.Is(WeComErrorCodes.DepartmentHasChildren)) return Fail(change, e, "The department still has child departments that are not part of this plan.");
                return Fail(change, e);
            }
        }

        private void MarkParentsNotEmpty(Department d)
        {
            if (d.ParentKey != null) _deleteFailed[d.ParentKey] = true;
        }

        private async Task WriteBackAsync(Result result, Department desired, string weComId, string parentId, CancellationToken ct)
        {
            if (_options.LinkWriter == null || desired.Source != DirectorySource.Authing) return;
            try
            {
                await _options.LinkWriter.WriteDepartmentLinkAsync(desired, weComId, parentId, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                // The WeCom write stands; only the link is missing, and the next run says so by planning a create that hits 60008.
                result.Error = AppendNote(result.Error, "created in WeCom, but writing the link back to Authing failed: " + Redaction.Redact(e.Message));
                result.ErrorCode = "writeback";
            }
        }

        internal static string AppendNote(string existing, string note) => string.IsNullOrEmpty(existing) ? note : existing + "; " + note;

        private static Result Fail(Change change, ApiException e, string explanation = null)
        {
            var r = Results.Failed(change, e);
            if (explanation != null) r.Error = explanation + " (" + e.ApiMessage + ")";
            return r;
        }

        // ---------------------------------------------------------------- drift

        /// <summary>
        /// The departments as WeCom holds them now, from one read of the tree (department/list): updates, moves and deletes
        /// by the WeCom id the plan saw, creates by a department of the same name under the same parent (WeCom keeps sibling
        /// names unique, errcode 60008).
        /// </summary>
        public async Task<IReadOnlyDictionary<Change, DirectoryObject>> ReadNowAsync(IReadOnlyList<Change> changes, CancellationToken cancellationToken)
        {
            var departments = await new WeComReader(_client).ReadDepartmentsAsync(cancellationToken).ConfigureAwait(false);
            var byId = departments.GroupBy(d => d.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var now = new Dictionary<Change, DirectoryObject>();
            foreach (var change in changes)
            {
                if (change.Operation == ChangeOperation.Create && change.Desired is Department desired)
                {
                    var parent = ParentIdOf(desired);
                    if (parent == null || desired.Name == null) continue;   // its parent is created in this run: nothing there yet to meet
                    now[change] = departments.FirstOrDefault(d => d.ParentKey == parent && string.Equals(d.Name, desired.Name, StringComparison.Ordinal));
                }
                else if (change.Operation != ChangeOperation.Create && change.Current is Department current && current.Key != null)
                {
                    now[change] = byId.TryGetValue(current.Key, out var d) ? d : null;
                }
            }
            return now;
        }
    }
}
