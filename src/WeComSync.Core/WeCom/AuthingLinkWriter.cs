using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using WeComSync.Authing;
using WeComSync.Model;

namespace WeComSync.WeCom
{
    /// <summary>
    /// Write-back over the Authing client: after WeComSync creates (or links) an object in WeCom, the WeCom id goes
    /// into the Authing object's link fields (names from the connection's <see cref="LinkFieldNames"/>), so the next
    /// run matches on it instead of creating again.
    /// </summary>
    public sealed class AuthingLinkWriter : IWeComLinkWriter
    {
        private readonly AuthingClient _client;
        private readonly string _organizationCode;

        public AuthingLinkWriter(AuthingClient client, string organizationCode)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _organizationCode = organizationCode;
        }

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
            return _client.UpdateUserAsync(source.SourceId, new JObject { ["customData"] = custom }, cancellationToken);
        }
    }
}
