using FeedIngest.Infra.Tests.Infrastructure;

namespace FeedIngest.Infra.Tests;

[Collection(CompiledInfraCollection.Name)]
public sealed class AzdTests(CompiledInfra infra)
{
    [Fact]
    public void Every_taggable_resource_carries_the_azd_environment_tag()
    {
        // Arrange: top-level resources (one '/' in the type); role assignments cannot carry tags.
        var topLevel = infra.WithDeployer.Resources
            .Where(resource => ((string)resource["type"]!).Count(c => c == '/') == 1)
            .Where(resource => (string)resource["type"]! != "Microsoft.Authorization/roleAssignments")
            .ToList();

        // Assert
        Assert.Equal(6, topLevel.Count);
        Assert.All(topLevel, resource => Assert.Equal(CompiledInfra.EnvironmentName, (string?)resource["tags"]?["azd-env-name"]));
    }

    [Fact]
    public void Function_app_carries_the_azd_service_name_of_the_azure_yaml_service()
    {
        // Arrange
        var azureYaml = File.ReadAllLines(RepositoryRoot.Combine("azure.yaml"));

        // Act
        var serviceName = ServiceNames(azureYaml).Single();

        // Assert
        Assert.Equal("api", serviceName);
        Assert.Equal(serviceName, (string?)infra.WithDeployer.FunctionApp["tags"]?["azd-service-name"]);
    }

    [Fact]
    public void Azure_yaml_deploys_the_functions_project_as_a_dotnet_function()
    {
        // Arrange
        var azureYaml = File.ReadAllLines(RepositoryRoot.Combine("azure.yaml")).Select(line => line.Trim()).ToList();

        // Act
        var project = azureYaml.Single(line => line.StartsWith("project:", StringComparison.Ordinal))["project:".Length..].Trim();

        // Assert
        Assert.Equal("./functions/FeedIngest.Functions", project);
        Assert.True(File.Exists(RepositoryRoot.Combine(project, "FeedIngest.Functions.csproj")));
        Assert.Contains("language: dotnet", azureYaml);
        Assert.Contains("host: function", azureYaml);
    }

    [Fact]
    public void Outputs_name_the_function_app_its_url_the_storage_account_and_app_insights()
    {
        // Arrange
        var outputs = infra.WithDeployer.Outputs;
        var app = infra.WithDeployer.FunctionApp;

        // Assert
        Assert.Equal((string)app["name"]!, (string)outputs["AZURE_FUNCTION_NAME"]!);
        Assert.Equal((string)app["name"]!, (string)outputs["SERVICE_API_NAME"]!);
        Assert.Equal(
            $"[format('https://{{0}}', reference('{(string)app["id"]!}', '2024-04-01').defaultHostName)]",
            (string)outputs["AZURE_FUNCTION_URL"]!);
        Assert.Equal((string)infra.WithDeployer.StorageAccount["name"]!, (string)outputs["AZURE_STORAGE_ACCOUNT_NAME"]!);
        Assert.Equal((string)infra.WithDeployer.ApplicationInsights["name"]!, (string)outputs["APPLICATIONINSIGHTS_NAME"]!);
    }

    [Fact]
    public void Resource_names_derive_from_the_environment_and_differ_per_resource_group()
    {
        // Arrange
        var storageName = (string)infra.WithDeployer.StorageAccount["name"]!;

        // Assert: st + 13-character uniqueString token, a valid storage account name.
        Assert.Matches("^st[a-z0-9]{13}$", storageName);
        Assert.EndsWith(storageName[2..], (string)infra.WithDeployer.FunctionApp["name"]!, StringComparison.Ordinal);
    }

    /// <summary>Keys indented one level under <c>services:</c> in azure.yaml.</summary>
    private static IEnumerable<string> ServiceNames(IReadOnlyList<string> lines)
    {
        var inServices = false;
        foreach (var line in lines)
        {
            if (line.StartsWith("services:", StringComparison.Ordinal))
            {
                inServices = true;
                continue;
            }

            if (inServices && line.Length > 0 && !char.IsWhiteSpace(line[0]))
            {
                yield break;
            }

            if (inServices && line.StartsWith("  ", StringComparison.Ordinal) && !line.StartsWith("   ", StringComparison.Ordinal) && line.TrimEnd().EndsWith(':'))
            {
                yield return line.Trim().TrimEnd(':');
            }
        }
    }
}
