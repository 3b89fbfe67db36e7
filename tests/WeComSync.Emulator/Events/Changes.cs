using System.Text.Json.Nodes;
using WeComSync.Emulator.Authing;
using WeComSync.Emulator.WeCom;

namespace WeComSync.Emulator.Events;

/// <summary>Who made a change: the API (with which kind of secret) or an admin in the console (a control endpoint).</summary>
public sealed record ChangeOrigin(string Kind, bool SyncSecret)
{
    public static readonly ChangeOrigin Console = new("console", false);

    public static ChangeOrigin Api(bool syncSecret) => new("api", syncSecret);
}

/// <summary>
/// The origin of the changes the current call makes: the API dispatchers set it around an endpoint, the console
/// endpoints around their edit. A change made with nothing set (an in-process test calling the state) counts as a console edit.
/// </summary>
public static class ChangeOrigins
{
    private static readonly AsyncLocal<ChangeOrigin> Ambient = new();

    public static ChangeOrigin Current => Ambient.Value ?? ChangeOrigin.Console;

    public static IDisposable Use(ChangeOrigin origin)
    {
        var previous = Ambient.Value;
        Ambient.Value = origin;
        return new Restore(previous);
    }

    private sealed class Restore(ChangeOrigin previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}

/// <summary>One member or department change in WeCom (change_contact's ChangeType), with the object before and after.</summary>
public sealed record WeComChange(string ChangeType, WeComUser OldUser, WeComUser NewUser, WeComDepartment OldDepartment, WeComDepartment NewDepartment, ChangeOrigin Origin);

/// <summary>One user or department change in Authing: the webhook event name, the object after (before, for deletes), the fields sent.</summary>
public sealed record AuthingChange(string EventName, AuthingUser User, JsonObject Updates, AuthingDepartment Department, ChangeOrigin Origin);
