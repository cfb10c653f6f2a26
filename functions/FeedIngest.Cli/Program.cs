using System.CommandLine;
using FeedIngest.Cli;
using FeedIngest.Cli.Commands;

var verbose = new Option<bool>("--verbose") { Description = "On errors, print the full exception (stack trace)", Recursive = true };
var root = new RootCommand("feedingest — harvest Vietnamese district portals into Azure Blob and Table Storage") { verbose };
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    // Parse errors are usage errors (64), never "some items failed" (2).
    foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
    Console.Error.WriteLine($"Run '{string.Join(' ', CommandPath(parse.CommandResult.Command))} --help' for usage.");
    return ExitCodes.Usage;
}
CliHost.Verbose = parse.GetValue(verbose);
try
{
    return await parse.InvokeAsync(new InvocationConfiguration
    {
        // Errors are reported below as one line each; the stack trace only with --verbose.
        EnableDefaultExceptionHandler = false,
        // Ctrl+C cancels the command's token; give it time to record the run as cancelled and print the summary.
        ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
    });
}
catch (Exception e)
{
    return CliErrors.Report(e, CliHost.Verbose);
}

static IEnumerable<string> CommandPath(Command command)
{
    var names = new List<string>();
    for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
        names.Insert(0, c is RootCommand ? "feedingest" : c.Name);
    return names;
}
