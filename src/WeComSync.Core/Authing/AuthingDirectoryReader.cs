using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using WeComSync.Http;
using WeComSync.Model;

namespace WeComSync.Authing
{
    /// <summary>What a user read produced: the users, and the pages that failed (the users are then marked incomplete).</summary>
    public sealed class AuthingUserRead
    {
        public List<User> Users { get; } = new List<User>();
        public List<ApiException> FailedPages { get; } = new List<ApiException>();
        public int TotalCount { get; set; }

        /// <summary>Users the first page's totalCount promised that no page held (0 when the read is whole).</summary>
        public int Missing { get; set; }

        public bool Complete => FailedPages.Count == 0 && Missing == 0;
    }

    /// <summary>Reads an Authing organization's tree and a pool's users, all pages, into the model; progress goes to the output it was given.</summary>
    public sealed class AuthingDirectoryReader
    {
        private readonly AuthingClient _client;
        private readonly IOutputWriter _output;

        public AuthingDirectoryReader(AuthingClient client, IOutputWriter output = null)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _output = output ?? NullOutputWriter.Instance;
        }

        /// <summary>Where Authing keeps the user fields for this read; null: the connection's field map.</summary>
        public Model.FieldMap FieldMap { get; set; }

        /// <summary>
        /// Most pages read at once (list-users pages of 50 are independent once the total is known): a ceiling, the
        /// number in flight adapts to the service (<see cref="AdaptiveConcurrency"/>); 0 = the default ceiling.
        /// </summary>
        public int Parallelism { get; set; }

        public async Task<AuthingDepartmentMap> ReadDepartmentsAsync(string organizationCode, string rootLinkId, CancellationToken cancellationToken)
        {
            if (string.IsNullOrEmpty(organizationCode))
                throw new ArgumentException("No organization code: give -OrganizationCode, or a default with Connect-Authing -OrganizationCode.");
            // Independent reads: both at once.
            var orgRead = _client.GetOrganizationAsync(organizationCode, cancellationToken);
            var departmentsRead = _client.GetAllDepartmentsAsync(organizationCode, cancellationToken);
            await Task.WhenAll(orgRead, departmentsRead).ConfigureAwait(false);
            var org = await orgRead.ConfigureAwait(false);
            var departments = await departmentsRead.ConfigureAwait(false);
            return new AuthingDepartmentMap(organizationCode, org.DepartmentId, org.OrganizationName, departments, _client.Settings.LinkFields, rootLinkId);
        }

        /// <summary>
        /// Every user of the pool (all pages of 50), or with <paramref name="departments"/> only the members of that
        /// organization. A page that fails after the transport's retries is recorded and the read goes on; every user
        /// returned is then marked incomplete, so no comparison plans deletes from a partial read.
        /// </summary>
        public async Task<AuthingUserRead> ReadUsersAsync(AuthingDepartmentMap departments, JArray advancedFilter, CancellationToken cancellationToken)
        {
            var progress = new StepProgress(_output, "Reading Authing users");
            progress.Start("list-users, first page", 0);
            try { return await ReadUsersAsync(departments, advancedFilter, progress, cancellationToken).ConfigureAwait(false); }
            finally { progress.Complete(); }
        }

        private async Task<AuthingUserRead> ReadUsersAsync(AuthingDepartmentMap departments, JArray advancedFilter, StepProgress progress, CancellationToken cancellationToken)
        {
            var read = new AuthingUserRead();
            var mapper = new AuthingUserMapper(_client.Settings, FieldMap);
            // Each page is mapped to the model as it arrives and its DTOs dropped: a DTO carries the whole answer
            // (custom data and every other field as JSON tokens), several times the user's size, and holding them all
            // until the last page made the read of a large pool its run's peak of memory.
            var pages = new SortedDictionary<int, List<(string Id, User User)>>();
            List<(string Id, User User)> Map(List<AuthingUserDto> dtos)
            {
                var mapped = new List<(string Id, User User)>(dtos.Count);
                foreach (var dto in dtos)
                {
                    if (dto == null) continue;
                    var user = mapper.ToModel(dto, departments);
                    bool member = departments == null || (dto.DepartmentIds != null && user.Departments.Count > 0);
                    mapped.Add((dto.UserId, member ? user : null)); // null: not in this organization, yet seen
                }
                return mapped;
            }
            // Without the first page we do not even know how many there are: its failure fails the read.
            var first = await _client.ListUsersAsync(1, AuthingClient.PageSize, advancedFilter, cancellationToken).ConfigureAwait(false);
            read.TotalCount = first.TotalCount;
            pages[1] = Map(first.List);
            int pageCount = (int)Math.Ceiling(first.TotalCount / (double)AuthingClient.PageSize);
            progress.Start("list-users pages", Math.Max(1, pageCount));
            progress.Step();

            await new AdaptiveConcurrency(Parallelism).ForEachAsync(Enumerable.Range(2, Math.Max(0, pageCount - 1)), async page =>
            {
                try
                {
                    var result = await _client.ListUsersAsync(page, AuthingClient.PageSize, advancedFilter, cancellationToken).ConfigureAwait(false);
                    var mapped = Map(result.List);
                    lock (pages) pages[page] = mapped;
                }
                catch (ApiException e)
                {
                    lock (pages) read.FailedPages.Add(e.At($"list-users page {page}"));
                }
                progress.Step();
            }, cancellationToken).ConfigureAwait(false);

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (id, user) in pages.Values.SelectMany(p => p))
            {
                if (!seen.Add(id ?? Guid.NewGuid().ToString())) continue; // a user moved between pages while we read
                if (user != null) read.Users.Add(user);
            }
            string reason = null;
            if (read.FailedPages.Count > 0)
            {
                reason = $"{read.FailedPages.Count} page(s) of Authing list-users failed ({read.FailedPages[0].Message}); the user list is incomplete.";
            }
            else if (seen.Count < read.TotalCount)
            {
                // Every page answered, yet fewer distinct users than the count: users moved between pages (deleted or
                // reordered during the read). What is missing cannot be told from what is there.
                read.Missing = read.TotalCount - seen.Count;
                reason = $"Authing list-users reported {read.TotalCount} user(s) but the pages held {seen.Count} distinct user(s): {read.Missing} missing " +
                    "(users were deleted or moved between pages while they were read); the user list is incomplete. Read again.";
            }
            if (reason != null) foreach (var u in read.Users) u.IncompleteReason = reason;
            return read;
        }
    }
}
