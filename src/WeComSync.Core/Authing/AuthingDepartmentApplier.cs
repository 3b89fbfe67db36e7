using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using WeComSync.Apply;
using WeComSync.Comparison;
using WeComSync.Http;
using WeComSync.Model;

namespace WeComSync.Authing
{
    /// <summary>
    /// Applies department changes to one Authing organization: creates, moves and updates level by level, parents first
    /// (a child finds the Authing id its parent got earlier in the same run); deletes children first. Every write also
    /// writes the link fields (the department's and its parent's WeCom identity), so a renamed department is re-keyed.
    /// </summary>
    public sealed class AuthingDepartmentApplier : IChangeApplier, IDriftReader, IUndoable
    {
        private readonly AuthingClient _client;
        private readonly string _organizationCode;
        private readonly string _rootLinkId;

        public AuthingDepartmentApplier(AuthingClient client, string organizationCode, string rootLinkId = null)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _organizationCode = organizationCode;
            _rootLinkId = rootLinkId;
        }

        /// <summary>The organization's tree, read by <see cref="PrepareAsync"/> (or given, when the caller already has it).</summary>
        public AuthingDepartmentMap Map { get; set; }

        public string TargetName => $"Authing organization {_organizationCode}";

        public UndoTarget UndoTarget => new UndoTarget { Service = AuthingClient.ServiceName, Kind = ObjectKind.Department, OrganizationCode = _organizationCode, RootLinkId = _rootLinkId };

        private LinkFieldNames Links => _client.Settings.LinkFields;

        public string DescribeTarget(Change change) => $"department {Describe(change)} in Authing organization {_organizationCode}";

        public string DescribeAction(Change change)
        {
            switch (change.Operation)
            {
                case ChangeOperation.Create: return "Create department";
                case ChangeOperation.Delete: return "Delete department";
                case ChangeOperation.Move: return PlanText.Action("Move department", change);
                default: return PlanText.Action("Update department", change);
            }
        }

        private static string Describe(Change change)
        {
            var d = (change.Desired ?? change.Current) as Department;
            return d?.Path ?? d?.Name ?? change.Key;
        }

        public async Task PrepareAsync(IReadOnlyList<Change> approved, CancellationToken cancellationToken)
        {
            if (Map == null) Map = await new AuthingDirectoryReader(_client).ReadDepartmentsAsync(_organizationCode, _rootLinkId, cancellationToken).ConfigureAwait(false);
        }

        public IEnumerable<ApplyStage> BuildStages(IReadOnlyList<Change> approved) => DepartmentStages.ByLevel(approved, WriteAsync, DeleteAsync);

        /// <summary>
        /// The link fields to write for <paramref name="d"/> (Authing id <paramref name="id"/>, null on create, under
        /// <paramref name="parentId"/>). A WeCom id already held is kept: the export's path never replaces it (one meaning
        /// per link field, docs/ARCHITECTURE.md §3); the parent's link is the parent's WeCom id where it holds one.
        /// </summary>
        private JObject LinkData(Department d, string id, string parentId)
        {
            string link = Map.WeComIdOf(id) ?? d.LinkId ?? d.Key;
            string parentLink = Map.IsRootId(parentId)
                ? (Map.WeComParentIdOf(id) == "1" ? "1" : d.ParentLinkId) // WeCom's root stays WeCom's root
                : Map.WeComIdOf(parentId) ?? d.ParentLinkId;
            return new JObject
            {
                [Links.DepartmentId] = link,
                [Links.ParentDepartmentId] = string.IsNullOrEmpty(parentLink) ? (JToken)"" : parentLink,
            };
        }

        private async Task<Result> WriteAsync(Change change, CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            var desired = change.Desired as Department;
            if (desired == null) return Results.Failed(change, new InvalidOperationException($"The {change.Operation} change for {change.Key} carries no desired department."));
            if (desired.IsRoot) return Results.Skipped(change, "The organization's root department is never created, renamed or moved.");

            string parentId = Map.IdOf(desired.ParentLinkId);
            if (parentId == null)
                return Results.Skipped(change, $"Its parent department '{desired.ParentLinkId}' does not exist in Authing (it was not created: see that department's result).");

            if (change.Operation == ChangeOperation.Create) return await CreateAsync(change, desired, parentId, watch, ct).ConfigureAwait(false);

            var current = change.Current as Department;
            string id = current?.SourceId ?? Map.IdOf(current?.LinkId ?? change.Key);
            if (id == null) return Results.Failed(change, new InvalidOperationException($"Department {change.Key} has no Authing id to update."));
            bool rename = current == null || !string.Equals(current.Name, desired.Name, StringComparison.Ordinal);
            bool move = change.Operation == ChangeOperation.Move ||
                current?.ParentKey != null && current.ParentKey != parentId && !(Map.IsRootId(current.ParentKey) && Map.IsRootId(parentId));
            await _client.UpdateDepartmentAsync(_organizationCode, id, rename ? desired.Name : null, move ? parentId : null, LinkData(desired, id, parentId), ct).ConfigureAwait(false);
            Map.Add(desired.LinkId ?? desired.Key, id);
            return Results.Succeeded(change, id, watch.Elapsed);
        }

        private async Task<Result> CreateAsync(Change change, Department desired, string parentId, Stopwatch watch, CancellationToken ct)
        {
            string linkId = desired.LinkId ?? desired.Key;
            try
            {
                var created = await _client.CreateDepartmentAsync(_organizationCode, desired.Name, parentId, LinkData(desired, null, parentId), ct).ConfigureAwait(false);
                Map.Add(linkId, created?.DepartmentId);
                return Results.Succeeded(change, created?.DepartmentId, watch.Elapsed);
            }
            catch (ApiException e) when (e.Is(AuthingErrorCodes.Conflict) || e.OutcomeUnknown)
            {
                // Already there (an earlier interrupted run, or made by hand): link the existing one instead of failing.
                var existing = await FindChildAsync(parentId, desired.Name, ct).ConfigureAwait(false);
                if (existing == null)
                {
                    if (!e.OutcomeUnknown) throw;
                    // The lost create was not applied (no such department): sending it again is safe now. Once: a
                    // second lost answer is reported, and the next run's read decides.
                    var again = await _client.CreateDepartmentAsync(_organizationCode, desired.Name, parentId, LinkData(desired, null, parentId), ct).ConfigureAwait(false);
                    Map.Add(linkId, again?.DepartmentId);
                    return Results.Succeeded(change, again?.DepartmentId, watch.Elapsed);
                }
                await _client.UpdateDepartmentAsync(_organizationCode, existing.DepartmentId, null, null, LinkData(desired, existing.DepartmentId, parentId), ct).ConfigureAwait(false);
                Map.Add(linkId, existing.DepartmentId);
                return Results.Succeeded(change, existing.DepartmentId, watch.Elapsed);
            }
        }

        private async Task<AuthingDepartmentDto> FindChildAsync(string parentId, string name, CancellationToken ct)
        {
            var all = await _client.GetAllDepartmentsAsync(_organizationCode, ct).ConfigureAwait(false);
            return all.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal) &&
                (d.ParentDepartmentId == parentId || Map.IsRootId(parentId) && Map.IsRootId(d.ParentDepartmentId)));
        }

        private async Task<Result> DeleteAsync(Change change, CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            var current = change.Current as Department;
            if (current?.IsRoot == true) return Results.Skipped(change, "The organization's root department is never deleted.");
            string id = current?.SourceId ?? Map.IdOf(current?.LinkId ?? change.Key);
            if (id == null) return Results.Skipped(change, $"Department {change.Key} is not in Authing any more.");
            await _client.DeleteDepartmentAsync(_organizationCode, id, ct).ConfigureAwait(false);
            return Results.Succeeded(change, id, watch.Elapsed);
        }

        // ---------------------------------------------------------------- drift

        /// <summary>
        /// The departments as the organization holds them now, from one read of its tree: updates, moves and deletes by
        /// the Authing id the plan saw, creates by the WeCom identity they would be linked to.
        /// </summary>
        public async Task<IReadOnlyDictionary<Change, DirectoryObject>> ReadNowAsync(IReadOnlyList<Change> changes, CancellationToken cancellationToken)
        {
            var map = await new AuthingDirectoryReader(_client).ReadDepartmentsAsync(_organizationCode, _rootLinkId, cancellationToken).ConfigureAwait(false);
            var departments = map.ToDepartments(true);
            var byId = departments.GroupBy(d => d.SourceId ?? d.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var byLink = departments.Where(d => d.LinkId != null).GroupBy(d => d.LinkId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var now = new Dictionary<Change, DirectoryObject>();
            foreach (var change in changes)
            {
                if (change.Operation == ChangeOperation.Create && change.Desired is Department desired && (desired.LinkId ?? desired.Key) is string link)
                    now[change] = byLink.TryGetValue(link, out var d) ? d : null;
                else if (change.Operation != ChangeOperation.Create && change.Current?.SourceId is string id)
                    now[change] = byId.TryGetValue(id, out var d) ? d : null;
            }
            return now;
        }
    }
}
