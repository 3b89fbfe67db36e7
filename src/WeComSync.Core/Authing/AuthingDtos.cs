using System.Linq;
using System.Collections.Generic;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Newtonsoft.Json.Serialization;

namespace WeComSync.Authing
{
    // The Authing Management API v3 shapes, in the API's own field names (camelCase on the wire).

    public sealed class AuthingUserDto
    {
        public string UserId { get; set; }
        public string Username { get; set; }
        public string Name { get; set; }
        public string Nickname { get; set; }
        public string Email { get; set; }
        public string Phone { get; set; }
        public string PhoneCountryCode { get; set; }

        /// <summary>M, F or U.</summary>
        public string Gender { get; set; }

        /// <summary>Activated, Suspended, Deactivated, Resigned, Archived.</summary>
        public string Status { get; set; }
        public string ExternalId { get; set; }
        public string Address { get; set; }
        public string Company { get; set; }
        public List<string> DepartmentIds { get; set; }

        /// <summary>The main department, where the API says it (not every deployment does).</summary>
        public string MainDepartmentId { get; set; }
        public JObject CustomData { get; set; }
        public string CreatedAt { get; set; }
        public string UpdatedAt { get; set; }

        /// <summary>The user's other fields (company, givenName, city …), as the API sent them: field-map targets read them.</summary>
        [JsonExtensionData]
        public IDictionary<string, JToken> Profile { get; set; }

        /// <summary>A text field by its API name; null when the answer did not carry it.</summary>
        internal string TextOf(string apiName)
        {
            switch (apiName)
            {
                case "name": return Name;
                case "nickname": return Nickname;
                case "email": return Email;
                case "externalId": return ExternalId;
                case "address": return Address;
                case "company": return Company;
                case "username": return Username;
            }
            if (Profile == null || !Profile.TryGetValue(apiName, out var token) || token == null || token.Type == JTokenType.Null) return null;
            return token.Type == JTokenType.String ? (string)token : token.ToString(Formatting.None);
        }
    }

    public sealed class AuthingDepartmentDto
    {
        public string OrganizationCode { get; set; }
        public string DepartmentId { get; set; }
        public string OpenDepartmentId { get; set; }
        public string Name { get; set; }
        public string ParentDepartmentId { get; set; }
        public string Code { get; set; }
        public string Description { get; set; }
        public JObject CustomData { get; set; }
        public int? MembersCount { get; set; }
        public bool? HasChildren { get; set; }
    }

    public sealed class AuthingOrganizationDto
    {
        public string OrganizationCode { get; set; }
        public string OrganizationName { get; set; }

        /// <summary>The organization's root department.</summary>
        public string DepartmentId { get; set; }
    }

    public sealed class AuthingCustomFieldDto
    {
        /// <summary>USER or DEPARTMENT.</summary>
        public string TargetType { get; set; }
        public string Key { get; set; }
        public string DataType { get; set; }
        public string Label { get; set; }
    }

    /// <summary>One page of a listing.</summary>
    public sealed class AuthingPage<T>
    {
        public int TotalCount { get; set; }
        public List<T> List { get; set; } = new List<T>();
    }

    /// <summary>
    /// A list of users as the batch calls answer it: the data is the array itself (UserListRespDto) or, in some
    /// deployments, an object with the array in "list". Read straight from the answer (AuthingClient.CallDataAsync).
    /// </summary>
    [JsonConverter(typeof(AuthingUserListConverter))]
    internal sealed class AuthingUserList
    {
        public List<AuthingUserDto> Users { get; } = new List<AuthingUserDto>();
    }

    internal sealed class AuthingUserListConverter : JsonConverter
    {
        public override bool CanConvert(System.Type objectType) => objectType == typeof(AuthingUserList);

        public override bool CanWrite => false;

        public override object ReadJson(JsonReader reader, System.Type objectType, object existingValue, JsonSerializer serializer)
        {
            var result = new AuthingUserList();
            if (reader.TokenType == JsonToken.StartArray)
            {
                result.Users.AddRange(serializer.Deserialize<List<AuthingUserDto>>(reader) ?? new List<AuthingUserDto>());
            }
            else if (reader.TokenType == JsonToken.StartObject)
            {
                int depth = reader.Depth;
                while (reader.Read() && !(reader.TokenType == JsonToken.EndObject && reader.Depth == depth))
                {
                    if (reader.TokenType != JsonToken.PropertyName) continue;
                    bool isList = (string)reader.Value == "list";
                    reader.Read();
                    if (isList && reader.TokenType == JsonToken.StartArray) result.Users.AddRange(serializer.Deserialize<List<AuthingUserDto>>(reader) ?? new List<AuthingUserDto>());
                    else reader.Skip();
                }
            }
            else if (reader.TokenType != JsonToken.Null)
            {
                reader.Skip();
            }
            return result;
        }

        public override void WriteJson(JsonWriter writer, object value, JsonSerializer serializer) => throw new System.NotSupportedException();
    }

    /// <summary>A webhook as list-webhooks and create-webhook answer it (WebhookDto). The secret is kept out of ToString.</summary>
    public sealed class AuthingWebhookDto
    {
        public string WebhookId { get; set; }
        public string Name { get; set; }
        public string Url { get; set; }
        public string ContentType { get; set; }
        public bool Enabled { get; set; }
        public List<string> Events { get; set; } = new List<string>();

        /// <summary>The secret the webhook sends; compared, never shown.</summary>
        internal string Secret { get; set; }

        /// <summary>Whether the pool answered the webhook's secret at all (some answers leave it out).</summary>
        public bool HasSecret => !string.IsNullOrEmpty(Secret);

        internal static AuthingWebhookDto From(JObject o)
        {
            var dto = new AuthingWebhookDto
            {
                WebhookId = (string)o["webhookId"] ?? (string)o["id"],
                Name = (string)o["name"],
                Url = (string)o["url"],
                ContentType = (string)o["contentType"],
                Enabled = o["enabled"] != null && o["enabled"].Type == JTokenType.Boolean && (bool)o["enabled"],
                Secret = o["secret"] != null && o["secret"].Type == JTokenType.String ? (string)o["secret"] : null,
            };
            var events = o["events"];
            if (events is JArray a) dto.Events = a.Select(e => e.ToString()).ToList();
            else if (events != null && events.Type == JTokenType.String)
            {
                // list-webhooks documents events as JSON text ("[\"user:created\"]").
                try { dto.Events = (JToken.Parse((string)events) as JArray)?.Select(e => e.ToString()).ToList() ?? new List<string> { (string)events }; }
                catch (JsonException) { dto.Events = new List<string> { (string)events }; }
            }
            return dto;
        }

        public override string ToString() => $"{Name} -> {Url} ({(Enabled ? "enabled" : "disabled")}; {string.Join(", ", Events)})";
    }

    internal static class AuthingJson
    {
        /// <summary>camelCase property names, but custom-data keys exactly as written; nulls left out (an omitted field stays as it is).</summary>
        public static readonly JsonSerializerSettings Settings = new JsonSerializerSettings
        {
            ContractResolver = new DefaultContractResolver { NamingStrategy = new CamelCaseNamingStrategy { ProcessDictionaryKeys = false, OverrideSpecifiedNames = false } },
            NullValueHandling = NullValueHandling.Ignore,
        };

        public static readonly JsonSerializer Serializer = JsonSerializer.Create(Settings);

        public static string Text(JObject customData, string key)
        {
            if (customData == null || string.IsNullOrEmpty(key)) return null;
            var token = customData[key];
            if (token == null || token.Type == JTokenType.Null) return null;
            return token.Type == JTokenType.String ? (string)token : token.ToString(Formatting.None);
        }
    }
}
