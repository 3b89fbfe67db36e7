using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WeComSync.Emulator.Tests;

/// <summary>One request a test receiver got.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A stand-in for the listener: an HTTP server on 127.0.0.1 that records every request and answers what the test's
/// handler says. Disposing stops it (each test disposes the receivers it started).
/// </summary>
public sealed class TestReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestReceiver(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>Answers a request: (status, body); may wait. Default 200 "success".</summary>
    public Func<ReceivedRequest, int, Task<(int status, string body)>> Handler { get; set; } = (_, _) => Task.FromResult((200, "success"));

    private int _count;

    public static async Task<TestReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = 128L << 20;
        });
        var app = builder.Build();
        TestReceiver receiver = null;
        app.Run(async http =>
        {
            using var ms = new MemoryStream();
            await http.Request.Body.CopyToAsync(ms);
            var request = new ReceivedRequest(
                http.Request.Method, http.Request.Path.Value,
                http.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
                http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                ms.ToArray());
            receiver.Requests.Enqueue(request);
            var n = Interlocked.Increment(ref receiver._count);
            var (status, body) = await receiver.Handler(request, n);
            http.Response.StatusCode = status;
            await http.Response.WriteAsync(body ?? "");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>().Addresses.First();
        receiver = new TestReceiver(app, new Uri(address.TrimEnd('/') + "/"));
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
