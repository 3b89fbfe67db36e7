// Placeholder until the emulator lands (issue 4).
var app = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder(args).Build();
app.Urls.Add("http://127.0.0.1:0");
app.Run();
