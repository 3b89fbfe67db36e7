using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json.Linq;
using WeComSync.Http;

namespace WeComSync.WeCom
{
    /// <summary>One check of Test-WeComConnection: what was tried, whether it worked, and when not, what to do.</summary>
    public sealed class WeComConnectionCheck : ConnectionCheck
    {
    }

    /// <summary>
    /// Checks what the connection can do, each check on its own: token, department id list, member id list, detail
    /// reads, write permission. A failure says what to fix (60020 trusted IP, 48009 new-IP detail ban, 48002 wrong
    /// secret for writes, 40001/40013/40091 bad credentials). Nothing is changed: the write check updates a userid
    /// that cannot exist, and reads WeCom's refusal.
    /// </summary>
    public static class WeComConnectionTest
    {
        public const string ProbeUserId = "wecomsync-write-probe-0";

        public static async Task<IReadOnlyList<WeComConnectionCheck>> RunAsync(WeComClient client, CancellationToken ct)
        {
            var checks = new List<WeComConnectionCheck>();
            var token = await RunAsync("Token", "gettoken", () => client.GetTokenAsync(ct)).ConfigureAwait(false);
            checks.Add(token);
            if (!token.Passed) return checks; // nothing else can work without a token

            JArray departments = null;
            checks.Add(await RunAsync("Read departments", "department/simplelist", async () => departments = await client.ListDepartmentIdsAsync(ct).ConfigureAwait(false)).ConfigureAwait(false));
            string someUser = null;
            checks.Add(await RunAsync("Read members", "user/list_id", async () =>
            {
                var page = await client.ListUserIdsPageAsync(null, 1, ct).ConfigureAwait(false);
                someUser = (string)(page["dept_user"] as JArray)?.FirstOrDefault()?["userid"];
            }).ConfigureAwait(false));
            long firstDept = departments?.Select(d => (long?)d["id"]).FirstOrDefault() ?? 1;
            checks.Add(await RunAsync("Department details", "department/get", () => client.GetDepartmentAsync(firstDept, ct)).ConfigureAwait(false));
            var details = await RunAsync("Member details", "user/list", () => client.ListUsersDetailedAsync(firstDept, ct)).ConfigureAwait(false);
            checks.Add(details);
            var attributes = AttributeUpdates(client, details);
            if (attributes != null) checks.Add(attributes);
            checks.Add(await RunAsync("Write permission", "user/update", async () =>
            {
                try { await client.UpdateUserAsync(new JObject { ["userid"] = ProbeUserId, ["position"] = "" }, ct).ConfigureAwait(false); }
                catch (ApiException e) when (e.Is(WeComErrorCodes.UserNotFound) || e.Is(WeComErrorCodes.UserNotExist) || e.Is(WeComErrorCodes.InvalidUserId))
                {
                    // WeCom looked for the member, so the secret may write.
                }
            }).ConfigureAwait(false));
            return checks;
        }

        /// <summary>
        /// An update that writes custom attributes (extattr) first reads the member (user/get) to keep its other
        /// attributes; where detail reads answer 48009 every such update would fail before it is sent. Said here, at
        /// connect time, when the field map writes attributes; null when it writes none or the reads work.
        /// </summary>
        private static WeComConnectionCheck AttributeUpdates(WeComClient client, WeComConnectionCheck details)
        {
            bool writesAttributes = client.FieldMap?.Effective().Any(f => f.Target != null && f.Target.StartsWith(Model.FieldMap.ExtattrPrefix, StringComparison.Ordinal)) == true;
            if (!writesAttributes || details.Passed || details.Code != WeComErrorCodes.DetailReadBanned.ToString(System.Globalization.CultureInfo.InvariantCulture)) return null;
            if (client.Settings.AllAttributesMapped)
                return new WeComConnectionCheck { Check = "Attribute updates", Passed = true, Message = "Updates send the mapped custom attributes without reading the member (-AllAttributesMapped)." };
            return new WeComConnectionCheck
            {
                Check = "Attribute updates", Passed = false, Code = details.Code,
                Message = "Updates that write custom attributes (extattr) first read the member (user/get), which answers 48009 from this IP: every such update would fail before it is sent.",
                RecommendedAction = ApiException.Sentence(WeComUserApplier.AttributeReadAdvice),
            };
        }

        // Short check names, as Test-AuthingConnection's (the one view's Check column fits them whole at 80 columns);
        // the message names the call that was tried.
        private static async Task<WeComConnectionCheck> RunAsync(string name, string call, Func<Task> check)
        {
            try
            {
                await check().ConfigureAwait(false);
                return new WeComConnectionCheck { Check = name, Passed = true, Message = $"{call} answered." };
            }
            catch (ApiException e)
            {
                return new WeComConnectionCheck { Check = name, Passed = false, Code = e.Code, Message = $"{call}: {ApiException.Sentence(e.ApiMessage)}", RecommendedAction = e.RecommendedAction == null ? null : ApiException.Sentence(e.RecommendedAction) };
            }
        }
    }
}
