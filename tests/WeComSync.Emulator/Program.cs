// The WeCom + Authing API emulator: dotnet run --project tests/WeComSync.Emulator -- --port 0 [--seed seed.json]
// prints the base URL on its first line of stdout and serves on 127.0.0.1 until stopped (Ctrl+C, SIGTERM).
using WeComSync.Emulator;

var port = 0;
string seed = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], out var p) && p is >= 0 and <= 65535:
            port = p;
            i++;
            break;
        case "--seed" when i + 1 < args.Length:
            seed = File.ReadAllText(args[++i]);
            break;
        case "--help" or "-h":
            Console.WriteLine("usage: WeComSync.Emulator [--port N] [--seed path.json]   (port 0 = pick a free port)");
            return 0;
        default:
            Console.Error.WriteLine($"unknown or incomplete argument '{args[i]}'; usage: WeComSync.Emulator [--port N] [--seed path.json]");
            return 2;
    }
}

EmulatorServer server;
try
{
    server = await EmulatorServer.StartAsync(port, seed);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine("bad seed: " + e.Message);
    return 2;
}
await using (server)
{
    Console.WriteLine(server.BaseUrl.ToString().TrimEnd('/'));
    Console.Out.Flush();
    await server.WaitForShutdownAsync();
}
return 0;
