using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace WeComSync.Emulator.Authing;

/// <summary>An Authing user (UserDto field names; also the seed/dump shape).</summary>
public sealed class AuthingUser
{
    [JsonPropertyName("userId")] public string UserId { get; set; }
    [JsonPropertyName("username")] public string Username { get; set; }
    [JsonPropertyName("name")] public string Name { get; set; }
    [JsonPropertyName("nickname")] public string Nickname { get; set; }
    [JsonPropertyName("email")] public string Email { get; set; }
    [JsonPropertyName("phone")] public string Phone { get; set; }
    [JsonPropertyName("phoneCountryCode")] public string PhoneCountryCode { get; set; }
    /// <summary>M, F or U.</summary>
    [JsonPropertyName("gender")] public string Gender { get; set; } = "U";
    /// <summary>Activated, Suspended, Deactivated, Resigned or Archived.</summary>
    [JsonPropertyName("status")] public string Status { get; set; } = "Activated";
    [JsonPropertyName("externalId")] public string ExternalId { get; set; }
    [JsonPropertyName("address")] public string Address { get; set; }
    [JsonPropertyName("company")] public string Company { get; set; }
    [JsonPropertyName("photo")] public string Photo { get; set; }
    [JsonPropertyName("emailVerified")] public bool EmailVerified { get; set; }
    [JsonPropertyName("phoneVerified")] public bool PhoneVerified { get; set; }
    [JsonPropertyName("mainDepartmentId")] public string MainDepartmentId { get; set; }
    [JsonPropertyName("departmentIds")] public List<string> DepartmentIds { get; set; }
    [JsonPropertyName("customData")] public JsonObject CustomData { get; set; }
    [JsonPropertyName("createdAt")] public string CreatedAt { get; set; }
    [JsonPropertyName("updatedAt")] public string UpdatedAt { get; set; }
    /// <summary>Other profile fields of UserDto (givenName, city, …), kept as sent.</summary>
    [JsonExtensionData] public Dictionary<string, object> Profile { get; set; }

    internal AuthingUser Copy()
    {
        var c = (AuthingUser)MemberwiseClone();
        c.DepartmentIds = DepartmentIds?.ToList();
        c.CustomData = CustomData?.DeepClone() as JsonObject;
        c.Profile = Profile == null ? null : new Dictionary<string, object>(Profile);
        return c;
    }
}

/// <summary>An Authing department (DepartmentDto field names; also the seed/dump shape).</summary>
public sealed class AuthingDepartment
{
    [JsonPropertyName("organizationCode")] public string OrganizationCode { get; set; }
    [JsonPropertyName("departmentId")] public string DepartmentId { get; set; }
    [JsonPropertyName("openDepartmentId")] public string OpenDepartmentId { get; set; }
    [JsonPropertyName("name")] public string Name { get; set; }
    /// <summary>The parent's departmentId; <c>root</c> is accepted in a seed for the organization's root.</summary>
    [JsonPropertyName("parentDepartmentId")] public string ParentDepartmentId { get; set; }
    [JsonPropertyName("code")] public string Code { get; set; }
    [JsonPropertyName("description")] public string Description { get; set; }
    [JsonPropertyName("leaderUserIds")] public List<string> LeaderUserIds { get; set; }
    [JsonPropertyName("customData")] public JsonObject CustomData { get; set; }
    [JsonPropertyName("createdAt")] public string CreatedAt { get; set; }
    [JsonPropertyName("updatedAt")] public string UpdatedAt { get; set; }

    internal AuthingDepartment Copy()
    {
        var c = (AuthingDepartment)MemberwiseClone();
        c.LeaderUserIds = LeaderUserIds?.ToList();
        c.CustomData = CustomData?.DeepClone() as JsonObject;
        return c;
    }
}

/// <summary>An organization: a tree with one root department.</summary>
public sealed class AuthingOrganization
{
    [JsonPropertyName("organizationCode")] public string OrganizationCode { get; set; }
    [JsonPropertyName("organizationName")] public string OrganizationName { get; set; }
    [JsonPropertyName("description")] public string Description { get; set; }
    /// <summary>The root department's id.</summary>
    [JsonPropertyName("departmentId")] public string DepartmentId { get; set; }
    [JsonPropertyName("createdAt")] public string CreatedAt { get; set; }
}

/// <summary>An extension (custom) field definition.</summary>
public sealed class AuthingCustomField
{
    /// <summary>USER, DEPARTMENT, ROLE or GROUP.</summary>
    [JsonPropertyName("targetType")] public string TargetType { get; set; }
    [JsonPropertyName("key")] public string Key { get; set; }
    /// <summary>STRING, NUMBER, DATETIME, BOOLEAN or ENUM.</summary>
    [JsonPropertyName("dataType")] public string DataType { get; set; } = "STRING";
    [JsonPropertyName("label")] public string Label { get; set; }
    [JsonPropertyName("description")] public string Description { get; set; }
    [JsonPropertyName("isUnique")] public bool IsUnique { get; set; }
    [JsonPropertyName("visibleInAdminConsole")] public bool VisibleInAdminConsole { get; set; } = true;
    [JsonPropertyName("createdAt")] public string CreatedAt { get; set; }
}
