using System.Text.Json.Nodes;

namespace FeedIngest.Infra.Tests.Infrastructure;

/// <summary>
/// infra/main.bicep compiled to ARM JSON (`bicep build`) and evaluated for a fixed, fake subscription
/// (`bicep snapshot`, which expands the modules and resolves every value that does not need a live
/// deployment). Built fresh into a temp folder once per test run, so it is never stale.
/// </summary>
public sealed class CompiledInfra : IAsyncLifetime
{
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000c1c1";
    public const string TenantId = "00000000-0000-0000-0000-000000007e7e";
    public const string ResourceGroup = "rg-feedingest-ci";
    public const string Location = "swedencentral";
    public const string EnvironmentName = "ci";
    public const string DeployerPrincipalId = "11111111-2222-3333-4444-555555555555";

    private static readonly TimeSpan BicepTimeout = TimeSpan.FromMinutes(3);
    private string workDirectory = "";

    /// <summary>Text of the compiled ARM template (main.json).</summary>
    public string TemplateText { get; private set; } = "";

    public JsonObject Template { get; private set; } = new();

    /// <summary>Everything `bicep build` printed; a clean build prints nothing.</summary>
    public string BuildOutput { get; private set; } = "";

    /// <summary>The deployment as azd runs it with AZURE_PRINCIPAL_ID set: the deployer gets data roles too.</summary>
    public InfraSnapshot WithDeployer { get; private set; } = null!;

    /// <summary>The deployment with no principalId: only the app's identity gets roles.</summary>
    public InfraSnapshot AppOnly { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        workDirectory = Directory.CreateTempSubdirectory("feedingest-infra-").FullName;
        var bicep = await BicepCli.LocateOrRestoreAsync();
        var mainBicep = RepositoryRoot.Combine("infra", "main.bicep");

        var build = await ProcessRunner.RunAsync(bicep, ["build", mainBicep, "--outdir", workDirectory], workDirectory, BicepTimeout);
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"bicep build failed (exit {build.ExitCode}):\n{build.Combined}");
        }

        BuildOutput = build.Combined;
        TemplateText = await File.ReadAllTextAsync(Path.Combine(workDirectory, "main.json"));
        Template = JsonNode.Parse(TemplateText)!.AsObject();

        WithDeployer = await SnapshotAsync(bicep, mainBicep, "with-deployer", DeployerPrincipalId);
        AppOnly = await SnapshotAsync(bicep, mainBicep, "app-only", principalId: "");
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(workDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }

        return Task.CompletedTask;
    }

    private async Task<InfraSnapshot> SnapshotAsync(string bicep, string mainBicep, string name, string principalId)
    {
        // A .bicepparam file must name its template by a relative path.
        var parametersFile = Path.Combine(workDirectory, $"{name}.bicepparam");
        var usingPath = Path.GetRelativePath(workDirectory, mainBicep).Replace('\\', '/');
        await File.WriteAllTextAsync(parametersFile, $"""
            using '{usingPath}'

            param environmentName = '{EnvironmentName}'
            param location = '{Location}'
            param principalId = '{principalId}'
            """);

        var snapshot = await ProcessRunner.RunAsync(
            bicep,
            [
                "snapshot", parametersFile,
                "--subscription-id", SubscriptionId,
                "--tenant-id", TenantId,
                "--resource-group", ResourceGroup,
                "--location", Location,
            ],
            workDirectory,
            BicepTimeout);
        var snapshotFile = Path.Combine(workDirectory, $"{name}.snapshot.json");
        if (snapshot.ExitCode != 0 || !File.Exists(snapshotFile))
        {
            throw new InvalidOperationException($"bicep snapshot failed (exit {snapshot.ExitCode}):\n{snapshot.Combined}");
        }

        return new InfraSnapshot(JsonNode.Parse(await File.ReadAllTextAsync(snapshotFile))!.AsObject());
    }
}

[CollectionDefinition(Name)]
public sealed class CompiledInfraCollection : ICollectionFixture<CompiledInfra>
{
    public const string Name = "Compiled infra";
}
