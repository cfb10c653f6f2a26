using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using FeedIngest.Core.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FeedIngest.Cli.Commands;

/// <summary><c>feedingest dashboard [--port N]</c>: the status page (and /api/status) on 127.0.0.1 until Ctrl+C or SIGTERM.</summary>
internal static class DashboardCommand
{
    public const int DefaultPort = 5088;

    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 picks a free one)", DefaultValueFactory = _ => DefaultPort };
        var command = new Command("dashboard", "Serve the status page (sources, health, drift, runs, failures, articles per day) on 127.0.0.1") { port };
        command.SetAction(async (parse, ct) =>
        {
            var requested = parse.GetValue(port);
            if (requested is < 0 or > 65535)
            {
                Console.Error.WriteLine($"error: --port must be between 0 and 65535, not {requested}");
                return ExitCodes.Usage;
            }
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            await using var services = await CliHost.BuildWithStorageAsync(ct);
            var reports = services.GetRequiredService<StatusReportService>();

            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, requested));
            await using var app = builder.Build();
            app.MapGet("/", (HttpContext c) => ServeAsync(c, reports, html: true));
            app.MapGet("/dashboard", (HttpContext c) => ServeAsync(c, reports, html: true));
            app.MapGet("/api/status", (HttpContext c) => ServeAsync(c, reports, html: false));
            try
            {
                await app.StartAsync(stop.Token);
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"error: cannot listen on 127.0.0.1:{requested}: {e.Message}");
                return 1;
            }
            Console.WriteLine($"Dashboard on {app.Urls.First()}/ — Ctrl+C to stop");
            try { await Task.Delay(Timeout.Infinite, stop.Token); } catch (OperationCanceledException) { }
            await app.StopAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }

    private static async Task ServeAsync(HttpContext context, StatusReportService reports, bool html)
    {
        StatusReport report;
        try
        {
            report = await reports.GetAsync(20, context.RequestAborted);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or AggregateException or HttpRequestException)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync($"storage unreachable: {e.GetBaseException().Message}");
            return;
        }
        context.Response.Headers.CacheControl = "no-store";
        if (html)
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(DashboardPage.Render(report));
        }
        else
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(StatusReportService.ToJson(report));
        }
    }
}
