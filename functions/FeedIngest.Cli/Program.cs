using System.CommandLine;
using FeedIngest.Cli.Commands;

var root = new RootCommand("feedingest — harvest Vietnamese district portals into Azure Blob and Table Storage");
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);
return await root.Parse(args).InvokeAsync();
