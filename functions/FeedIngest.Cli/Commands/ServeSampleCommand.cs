using System.CommandLine;
using System.Runtime.InteropServices;
using FeedIngest.SamplePortal;

namespace FeedIngest.Cli.Commands;

/// <summary><c>feedingest serve-sample [--port N] [--with-documents]</c>: the bundled district portal on 127.0.0.1 until Ctrl+C or SIGTERM.</summary>
internal static class ServeSampleCommand
{
    public const int DefaultPort = 5080;

    public static Command Create()
    {
        var port = new Option<int>("--port")
        {
            Description = "Port on 127.0.0.1 (0 picks a free one)",
            DefaultValueFactory = _ => DefaultPort,
        };
        var withDocuments = new Option<bool>("--with-documents")
        {
            Description = "Also serve the documents section under /van-ban/ (articles with attached PDF/DOCX, a release published twice); not linked from the default feeds",
        };
        var command = new Command("serve-sample", "Serve the bundled offline sample portal (home, paged listing, RSS, sitemap, articles) on 127.0.0.1");
        command.Options.Add(port);
        command.Options.Add(withDocuments);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var requested = parseResult.GetValue(port);
            if (requested is < 0 or > 65535)
            {
                Console.Error.WriteLine($"--port must be between 0 and 65535, not {requested}");
                return 2;
            }
            // System.CommandLine cancels its token on Ctrl+C; SIGTERM (docker stop, systemd, kill) is caught here too.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });

            SamplePortalServer server;
            try
            {
                server = await SamplePortalServer.StartAsync(requested, parseResult.GetValue(withDocuments), stop.Token);
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"Cannot listen on 127.0.0.1:{requested}: {e.Message}");
                return 1;
            }
            await using var _ = server;
            Console.WriteLine($"Sample portal on {server.BaseUrl} — Ctrl+C to stop");
            if (server.WithDocuments) Console.WriteLine($"Documents section on {new Uri(server.BaseUrl, SampleDocumentsSite.IndexPath)}");
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
            await server.StopAsync();
            Console.WriteLine($"Stopped after {server.RequestCount} requests.");
            return 0;
        });
        return command;
    }
}
