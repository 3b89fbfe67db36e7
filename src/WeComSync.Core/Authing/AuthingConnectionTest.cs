using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using WeComSync.Http;

namespace WeComSync.Authing
{
    /// <summary>One row of Test-AuthingConnection: what was checked, whether it passed, and what to do when it did not.</summary>
    /// <summary>One check of Test-AuthingConnection (the shape both services' checks share).</summary>
    public sealed class AuthingCheck : ConnectionCheck
    {
    }

    /// <summary>
    /// Checks what a sync needs from an Authing pool, each step on its own so one failure does not hide the others:
    /// a management token, reading users, reading the organization, write permission, and the four link fields.
    /// </summary>
    public static class AuthingConnectionTest
    {
        public static async Task<List<AuthingCheck>> RunAsync(AuthingClient client, string organizationCode, CancellationToken ct)
        {
            var checks = new List<AuthingCheck>();
            var token = await Try("Token", async () =>
            {
                await client.GetTokenAsync(ct).ConfigureAwait(false);
                return $"Management token obtained for user pool {client.UserPoolId ?? "(no pool claim)"}.";
            }, "Check the access key id and secret, and -ApiHost (public cloud, private deployment host).").ConfigureAwait(false);
            checks.Add(token);
            if (!token.Passed) return checks; // nothing else can work without a token

            checks.Add(await Try("Read users", async () =>
            {
                var page = await client.ListUsersAsync(1, 1, null, ct).ConfigureAwait(false);
                return $"{page.TotalCount} user(s) readable.";
            }, "Give the access key's role permission to read users.").ConfigureAwait(false));

            if (string.IsNullOrEmpty(organizationCode))
            {
                checks.Add(new AuthingCheck { Check = "Read organization", Passed = false, Message = "No organization code given.", RecommendedAction = "Pass -OrganizationCode, or set a default with Connect-Authing -OrganizationCode." });
            }
            else
            {
                checks.Add(await Try("Read organization", async () =>
                {
                    var map = await new AuthingDirectoryReader(client).ReadDepartmentsAsync(organizationCode, null, ct).ConfigureAwait(false);
                    return $"Organization {organizationCode} readable: {map.ById.Count} department(s) below the root.";
                }, "Check -OrganizationCode against the Authing console (Organization), and the key's permission to read it.").ConfigureAwait(false));
            }

            // A write that changes nothing: defining no custom fields. Only 401/403 mean "no write permission".
            var write = new AuthingCheck { Check = "Write permission" };
            try
            {
                await client.SetCustomFieldsAsync(Array.Empty<AuthingCustomFieldDto>(), ct).ConfigureAwait(false);
                write.Passed = true;
                write.Message = "The key may write to the pool.";
            }
            catch (ApiException e) when (e.Is(AuthingErrorCodes.Unauthorized) || e.Is(AuthingErrorCodes.Forbidden))
            {
                Fail(write, e, "Give the access key's role management (write) permission in the Authing console.");
            }
            catch (ApiException e)
            {
                write.Passed = !e.IsTransient;
                if (!write.Passed) write.Code = e.Code;
                write.Message = write.Passed ? "The key may write to the pool (the empty test write was refused only for its content)." : e.ApiMessage;
            }
            checks.Add(write);

            checks.Add(await Try("Link fields", async () =>
            {
                var missing = await AuthingLinkFields.MissingAsync(client, ct).ConfigureAwait(false);
                if (missing.Count > 0) throw new LinkFieldsMissing(missing);
                var l = client.Settings.LinkFields;
                var custom = new AuthingUserMapper(client.Settings).CustomDataKeys.ToList();
                return $"All four link fields exist ({l.UserId}, {l.UserDepartmentIds}, {l.DepartmentId}, {l.ParentDepartmentId})" +
                    (custom.Count == 0 ? "." : $", and the field map's custom data key(s) {string.Join(", ", custom)}.");
            }, "Run Initialize-AuthingLinkField to create the missing extension fields (the field map's custom data keys included).").ConfigureAwait(false));
            return checks;
        }

        private sealed class LinkFieldsMissing : Exception
        {
            public LinkFieldsMissing(List<AuthingCustomFieldDto> missing)
                : base("Missing: " + string.Join(", ", missing.Select(f => $"{f.Key} ({f.TargetType.ToLowerInvariant()})")) + ".") { }
        }

        private static async Task<AuthingCheck> Try(string name, Func<Task<string>> check, string action)
        {
            var row = new AuthingCheck { Check = name };
            try
            {
                row.Message = await check().ConfigureAwait(false);
                row.Passed = true;
            }
            catch (ApiException e)
            {
                Fail(row, e, e.RecommendedAction ?? action);
            }
            catch (LinkFieldsMissing e)
            {
                row.Message = e.Message;
                row.RecommendedAction = action;
            }
            catch (ArgumentException e)
            {
                row.Message = e.Message;
                row.RecommendedAction = action;
            }
            return row;
        }

        private static void Fail(AuthingCheck row, ApiException e, string action)
        {
            row.Passed = false;
            row.Code = e.Code;
            row.Message = Redaction.Redact(ApiException.Sentence($"{e.Code}: {e.ApiMessage}"));
            row.RecommendedAction = action == null ? null : ApiException.Sentence(action);
        }
    }

    /// <summary>
    /// The extension fields a sync needs: the four that hold the WeCom identity, and the custom data keys the field map
    /// writes (customData.position …): which are missing, and creating them.
    /// </summary>
    public static class AuthingLinkFields
    {
        /// <summary>The link fields and the field map's custom data keys (user fields, text).</summary>
        public static List<AuthingCustomFieldDto> Required(AuthingSettings settings, Model.FieldMap fieldMap = null)
        {
            var list = Required(settings.LinkFields);
            var mapper = new AuthingUserMapper(settings, fieldMap);
            foreach (var key in mapper.CustomDataKeys)
                if (!list.Any(f => f.TargetType == "USER" && f.Key == key))
                    list.Add(new AuthingCustomFieldDto { TargetType = "USER", Key = key, DataType = "STRING", Label = key });
            return list;
        }

        public static List<AuthingCustomFieldDto> Required(LinkFieldNames names) => new List<AuthingCustomFieldDto>
        {
            new AuthingCustomFieldDto { TargetType = "USER", Key = names.UserId, DataType = "STRING", Label = "企业微信用户 ID" },
            new AuthingCustomFieldDto { TargetType = "USER", Key = names.UserDepartmentIds, DataType = "STRING", Label = "企业微信部门 ID" },
            new AuthingCustomFieldDto { TargetType = "DEPARTMENT", Key = names.DepartmentId, DataType = "STRING", Label = "企业微信部门 ID" },
            new AuthingCustomFieldDto { TargetType = "DEPARTMENT", Key = names.ParentDepartmentId, DataType = "STRING", Label = "企业微信父部门 ID" },
        };

        /// <summary>What to do about missing link fields.</summary>
        public const string MissingAdvice = "Run Initialize-AuthingLinkField once for this pool (Test-AuthingConnection shows every check), then run the sync again.";

        /// <summary>
        /// The error of a pool without the link fields (Initialize-AuthingLinkField not run), raised before any write:
        /// without them every department would fail with a 400 and then every user with "department does not exist".
        /// </summary>
        public static OutputError MissingError(AuthingClient client, IReadOnlyCollection<AuthingCustomFieldDto> missing, object target)
        {
            string names = string.Join(", ", missing.Select(f => $"{f.Key} ({f.TargetType.ToLowerInvariant()})"));
            return new OutputError("AuthingLinkFieldsMissing", ProblemKind.NotConfigured, target,
                $"The Authing pool {client.UserPoolId} lacks the link field(s) that hold the WeCom identity: {names}. Nothing was written.", MissingAdvice);
        }

        public static async Task<List<AuthingCustomFieldDto>> MissingAsync(AuthingClient client, CancellationToken ct, Model.FieldMap fieldMap = null)
        {
            // Independent reads: both at once (an on-demand run of one user waits for them).
            var usersRead = client.ListCustomFieldsAsync("USER", ct);
            var departmentsRead = client.ListCustomFieldsAsync("DEPARTMENT", ct);
            await Task.WhenAll(usersRead, departmentsRead).ConfigureAwait(false);
            var users = await usersRead.ConfigureAwait(false);
            var departments = await departmentsRead.ConfigureAwait(false);
            var have = new HashSet<string>(users.Select(f => "USER/" + f.Key).Concat(departments.Select(f => "DEPARTMENT/" + f.Key)), StringComparer.Ordinal);
            return Required(client.Settings, fieldMap).Where(f => !have.Contains(f.TargetType + "/" + f.Key)).ToList();
        }
    }
}
