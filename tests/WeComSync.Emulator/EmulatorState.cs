using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using WeComSync.Emulator.Authing;
using WeComSync.Emulator.Control;
using WeComSync.Emulator.Events;
using WeComSync.Emulator.WeCom;

namespace WeComSync.Emulator;

/// <summary>
/// Everything the emulator holds: the WeCom corp, the Authing pool and its auth, the call counters, rate limits
/// and faults. Tests that start the emulator in-process may use it directly (e.g. <c>State.Calls.Get(path)</c>);
/// the same operations are reachable over HTTP under <c>/_emulator/</c>.
/// </summary>
public sealed class EmulatorState
{
    public EmulatorState()
    {
        AuthingAuth = new AuthingAuth(Authing);
        WeComCallbacks = new WeComCallbacks(WeCom, Events);
        Webhooks = new AuthingWebhooks(Authing, Events);
    }

    /// <summary>Event deliveries to listeners: the sender, the retry policies and the delivery log.</summary>
    public EventHub Events { get; } = new();

    /// <summary>WeCom's contact-change callback URL and its encrypted deliveries.</summary>
    public WeComCallbacks WeComCallbacks { get; }

    /// <summary>Authing's webhooks (management API) and their deliveries.</summary>
    public AuthingWebhooks Webhooks { get; }

    public WeComState WeCom { get; } = new();

    public AuthingState Authing { get; } = new();

    public AuthingAuth AuthingAuth { get; }

    public CallCounters Calls { get; } = new();

    public RateLimits Limits { get; } = new();

    public Faults Faults { get; } = new();

    /// <summary>Back to the known defaults: empty corp and pool, default secrets and keys, no limits, faults or counts.</summary>
    public void Reset()
    {
        WeCom.Reset();
        Authing.Reset();
        AuthingAuth.Reset();
        Calls.Clear();
        Limits.Clear();
        Faults.Clear();
        WeComCallbacks.Reset();
        Webhooks.Reset();
        Events.Reset();
    }

    /// <summary>The seed/dump document: each API's objects in the API's own field names.</summary>
    public sealed class Document
    {
        [JsonPropertyName("wecom")] public WeComPart WeCom { get; set; }
        [JsonPropertyName("authing")] public AuthingPart Authing { get; set; }
    }

    public sealed class WeComPart
    {
        [JsonPropertyName("corpId")] public string CorpId { get; set; }
        [JsonPropertyName("creator")] public string Creator { get; set; }
        [JsonPropertyName("departments")] public List<WeComDepartment> Departments { get; set; }
        [JsonPropertyName("users")] public List<WeComUser> Users { get; set; }
    }

    public sealed class AuthingPart
    {
        [JsonPropertyName("userPoolId")] public string UserPoolId { get; set; }
        [JsonPropertyName("organizations")] public List<AuthingOrganization> Organizations { get; set; }
        [JsonPropertyName("departments")] public List<AuthingDepartment> Departments { get; set; }
        [JsonPropertyName("users")] public List<AuthingUser> Users { get; set; }
        [JsonPropertyName("customFields")] public List<AuthingCustomField> CustomFields { get; set; }
    }

    /// <summary>
    /// Replaces the state of each API named in the document (an absent part stays as it is). Throws
    /// <see cref="ArgumentException"/> with what is wrong (missing parent, duplicate id …).
    /// </summary>
    public void Seed(Document doc)
    {
        if (doc?.WeCom != null) WeCom.Load(doc.WeCom.Departments, doc.WeCom.Users, doc.WeCom.CorpId, doc.WeCom.Creator);
        if (doc?.Authing != null)
        {
            if (doc.Authing.UserPoolId != null) Authing.UserPoolId = doc.Authing.UserPoolId;
            Authing.Load(doc.Authing.Organizations, doc.Authing.Departments, doc.Authing.Users, doc.Authing.CustomFields);
        }
    }

    /// <summary>Seeds from JSON text (the shape of <see cref="Document"/>).</summary>
    public void Seed(string json)
    {
        Document doc;
        try { doc = JsonSerializer.Deserialize<Document>(json, Json.Options); }
        catch (JsonException e) { throw new ArgumentException("seed is not valid JSON: " + e.Message); }
        Seed(doc);
    }

    public Document Dump()
    {
        var (wd, wu) = WeCom.Dump();
        var (orgs, ad, au, cf) = Authing.Dump();
        return new Document
        {
            WeCom = new WeComPart { CorpId = WeCom.CorpId, Creator = WeCom.Creator, Departments = wd, Users = wu },
            Authing = new AuthingPart { UserPoolId = Authing.UserPoolId, Organizations = orgs, Departments = ad, Users = au, CustomFields = cf },
        };
    }

    public string DumpJson(bool indented = false) => JsonSerializer.Serialize(Dump(), indented ? Json.Indented : Json.Options);
}
