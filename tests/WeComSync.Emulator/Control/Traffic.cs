using Microsoft.AspNetCore.Http;

namespace WeComSync.Emulator.Control;

/// <summary>What both API dispatchers do alike before an endpoint runs: read the body and apply injected faults.</summary>
internal static class Traffic
{
    public static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var ms = new MemoryStream();
        await request.Body.CopyToAsync(ms);
        return ms.ToArray();
    }

    /// <summary>
    /// Waits out latency faults and answers the faults that look the same on both APIs (drop, bare HTTP status).
    /// Returns handled = true when the call is over, else the API-specific fault (busy, throttle, errcode) the
    /// caller must answer in its own shape, or null to run the endpoint.
    /// </summary>
    /// <summary>Set in <see cref="HttpContext.Items"/> when a <c>reorder</c> fault fired for the call: "ties" (what the sort leaves open) or "all".</summary>
    public const string ReorderKey = "emulator.reorder";

    public static async Task<(bool handled, FaultRule fault)> ApplyFaultsAsync(HttpContext http, Faults faults, string api, string path, int? page)
    {
        var (latency, fault, reorder) = faults.Evaluate(api, path, page);
        if (reorder != null) http.Items[ReorderKey] = reorder;
        if (latency > 0) await Task.Delay(latency, http.RequestAborted);
        switch (fault?.Kind)
        {
            case "drop":
                http.Abort();
                return (true, null);
            case "http":
                http.Response.StatusCode = fault.Status ?? 503;
                await http.Response.WriteAsync("emulated HTTP fault");
                return (true, null);
            default:
                return (false, fault);
        }
    }
}
