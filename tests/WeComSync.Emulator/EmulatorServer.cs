using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WeComSync.Emulator.Authing;
using WeComSync.Emulator.Control;
using WeComSync.Emulator.WeCom;

namespace WeComSync.Emulator;

/// <summary>
/// The WeCom + Authing emulator as a Kestrel server on 127.0.0.1, startable in-process:
/// <code>
/// await using var emulator = await EmulatorServer.StartAsync();          // port 0 = a free port
/// var wecomHost = emulator.BaseUrl;                                      // e.g. http://127.0.0.1:41234/
/// emulator.State.Seed(File.ReadAllText("seed.json"));                   // or POST /_emulator/seed
/// Assert.Equal(0, emulator.State.Calls.Get("/cgi-bin/user/create"));
/// </code>
/// Both APIs share the one base URL: WeCom under <c>/cgi-bin/</c>, Authing under <c>/api/v3/</c>, control under
/// <c>/_emulator/</c>. Defaults (no seed): see <see cref="EmulatorDefaults"/>. Disposing stops the server.
/// </summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmulatorServer(WebApplication app, EmulatorState state, Uri baseUrl)
    {
        _app = app;
        State = state;
        BaseUrl = baseUrl;
    }

    /// <summary>The base URL, ending with '/', e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The in-memory state (seed, dump, reset, counters, limits, faults).</summary>
    public EmulatorState State { get; }

    /// <summary>Starts the emulator on 127.0.0.1:<paramref name="port"/> (0 = a free port), optionally seeded with JSON.</summary>
    public static async Task<EmulatorServer> StartAsync(int port = 0, string seedJson = null, CancellationToken cancellationToken = default)
    {
        var state = new EmulatorState();
        if (seedJson != null) state.Seed(seedJson);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(EmulatorServer).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, port);
            k.Limits.MaxRequestBodySize = 1L << 30; // one seed POST may carry 100 000 users
        });
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        var wecom = new WeComApi(state);
        var authing = new AuthingApi(state);
        ControlEndpoints.Map(app, state);
        app.Map("/cgi-bin/{**rest}", (HttpContext http) => wecom.HandleAsync(http));
        app.Map("/api/v3/{**rest}", (HttpContext http) => authing.HandleAsync(http));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>().Addresses.First();
        var uri = new Uri(address.Replace("[::]", "127.0.0.1").TrimEnd('/') + "/");
        return new EmulatorServer(app, state, uri);
    }

    /// <summary>Completes when the server stops (Ctrl+C or SIGTERM when run as a program).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        State.Events.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
