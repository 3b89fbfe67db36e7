using System;
using System.Net.Http;
using WeComSync.Model;

namespace WeComSync.Authing
{
    /// <summary>
    /// A session's link to one Authing user pool: the client (token cache, transport) and the default organization.
    /// What Connect-Authing keeps and every Authing cmdlet's -Connection takes; it shows the host, key id, pool and
    /// organization, never the secret or the token.
    /// </summary>
    public sealed class AuthingConnection : IDisposable
    {
        public AuthingConnection(AuthingSettings settings, HttpMessageHandler handler = null)
        {
            Client = new AuthingClient(settings, handler);
            ConnectedAt = DateTimeOffset.Now;
        }

        public string ApiHost => Client.Settings.ApiHost;
        public string AccessKeyId => Client.Settings.AccessKeyId;
        public string OrganizationCode => Client.Settings.OrganizationCode;
        public string Language => Client.Settings.Language;
        public string UserPoolId => Client.UserPoolId;
        public DateTimeOffset ConnectedAt { get; }

        public AuthingClient Client { get; }

        /// <summary>This connection's directory (with <paramref name="organizationCode"/>, or the default one), as plans record it.</summary>
        public DirectoryInstance Describe(string organizationCode = null) => new DirectoryInstance
        {
            Service = DirectoryInstance.AuthingService, Host = ApiHost, UserPoolId = UserPoolId,
            OrganizationCode = string.IsNullOrEmpty(organizationCode) ? OrganizationCode : organizationCode, ReadAt = DateTimeOffset.Now,
        };

        public override string ToString() => $"Authing pool {UserPoolId ?? "(not yet known)"} at {ApiHost}" + (OrganizationCode == null ? "" : $", organization {OrganizationCode}");

        public void Dispose() => Client.Dispose();
    }
}
