using System.Collections.Generic;
using System.Linq;
using Newtonsoft.Json.Linq;
using WeComSync.Http;

namespace WeComSync.RunLog
{
    /// <summary>
    /// Makes a JSON tree safe to write: every string is redacted (secrets, tokens) and, when asked, personal data is
    /// masked — by field name (Mobile, Email …, and the Old/New of a field change naming one) and in free text.
    /// Working on the tree rather than the model means nothing written can slip past, whatever its shape.
    /// </summary>
    internal sealed class LogSanitizer
    {
        private readonly bool _mask;

        public LogSanitizer(bool maskPersonalData) { _mask = maskPersonalData; }

        public string Text(string value) => Clean(null, value);

        /// <summary>One value of a named model field (Mobile, Email, Key …): redacted, and masked as the log would mask it.</summary>
        public string Field(string field, string value) => Clean(field, value);

        public JToken Apply(JToken token)
        {
            Walk(token, null);
            return token;
        }

        private void Walk(JToken token, string field)
        {
            switch (token)
            {
                case JObject obj:
                    // A field change {Field: "Mobile", Old: …, New: …} masks its values by the field it names.
                    string named = (obj.Properties().FirstOrDefault(p => p.Name == "field" || p.Name == "Field")?.Value as JValue)?.Value as string;
                    foreach (var property in obj.Properties().ToList())
                    {
                        bool isValue = property.Name == "old" || property.Name == "new" || property.Name == "Old" || property.Name == "New";
                        Walk(property.Value, isValue && named != null ? named : property.Name);
                    }
                    break;
                case JArray array:
                    foreach (var item in array.ToList()) Walk(item, field);
                    break;
                case JValue value when value.Type == JTokenType.String:
                    value.Value = Clean(field, (string)value.Value);
                    break;
            }
        }

        private string Clean(string field, string value)
        {
            if (string.IsNullOrEmpty(value)) return value;
            value = Redaction.Redact(value);
            // Identifiers stay readable even when they look like a phone number: they are how an admin finds a user's history.
            if (!_mask || (field != null && Identifiers.Contains(field))) return value;
            return PersonalData.MaskField(field, value);
        }

        private static readonly HashSet<string> Identifiers = new HashSet<string>(System.StringComparer.OrdinalIgnoreCase)
        {
            "key", "userId", "previousUserId", "username", "newId", "sourceId", "parentKey", "linkId", "parentLinkId", "departments", "runId",
        };
    }
}
