using System.Text.RegularExpressions;
using System.Xml.Linq;
using FeedIngest.Infra.Tests.Infrastructure;

namespace FeedIngest.Infra.Tests;

[Collection(CompiledInfraCollection.Name)]
public sealed partial class FunctionAppTests(CompiledInfra infra)
{
    [Fact]
    public void Function_app_runs_on_a_linux_flex_consumption_fc1_plan()
    {
        // Arrange
        var plan = infra.WithDeployer.Single("Microsoft.Web/serverfarms");
        var app = infra.WithDeployer.FunctionApp;

        // Assert
        Assert.Equal("FC1", (string)plan["sku"]!["name"]!);
        Assert.Equal("FlexConsumption", (string)plan["sku"]!["tier"]!);
        Assert.True((bool)plan["properties"]!["reserved"]!);
        Assert.Equal((string)plan["id"]!, (string)app["properties"]!["serverFarmId"]!);
        Assert.Equal("functionapp,linux", (string)app["kind"]!);
    }

    [Fact]
    public void Runtime_is_dotnet_isolated_matching_the_functions_project_target_framework()
    {
        // Arrange
        var runtime = infra.WithDeployer.FunctionApp["properties"]!["functionAppConfig"]!["runtime"]!;
        var targetFramework = FunctionsTargetFramework();

        // Act: net10.0 -> '10.0' (Flex wants major.minor for .NET).
        var expectedVersion = TargetFrameworkVersion().Match(targetFramework).Groups["version"].Value;

        // Assert
        Assert.Equal("dotnet-isolated", (string)runtime["name"]!);
        Assert.Equal("10.0", (string)runtime["version"]!);
        Assert.Equal(expectedVersion, (string)runtime["version"]!);
    }

    [Fact]
    public void Function_app_runs_as_its_user_assigned_identity_also_for_the_deployment_package()
    {
        // Arrange
        var app = infra.WithDeployer.FunctionApp;
        var identityId = (string)infra.WithDeployer.Identity["id"]!;
        var authentication = app["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!["authentication"]!;

        // Assert
        Assert.Equal("UserAssigned", (string)app["identity"]!["type"]!);
        Assert.Equal([identityId], app["identity"]!["userAssignedIdentities"]!.AsObject().Select(entry => entry.Key));
        Assert.Equal("UserAssignedIdentity", (string)authentication["type"]!);
        Assert.Equal(identityId, (string)authentication["userAssignedIdentityResourceId"]!);
    }

    [Fact]
    public void Function_app_serves_https_only_with_tls_1_2_and_no_basic_publishing_credentials()
    {
        // Arrange
        var properties = infra.WithDeployer.FunctionApp["properties"]!;
        var basicAuthPolicies = infra.WithDeployer.ResourcesOfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies");

        // Assert
        Assert.True((bool)properties["httpsOnly"]!);
        Assert.Equal("1.2", (string)properties["siteConfig"]!["minTlsVersion"]!);
        Assert.Equal(2, basicAuthPolicies.Count);
        Assert.All(basicAuthPolicies, policy => Assert.False((bool)policy["properties"]!["allow"]!));
    }

    [Fact]
    public void Application_insights_accepts_only_entra_id_authenticated_telemetry()
    {
        // Act
        var properties = infra.WithDeployer.ApplicationInsights["properties"]!;

        // Assert
        Assert.True((bool)properties["DisableLocalAuth"]!);
        Assert.Equal(
            (string)infra.WithDeployer.Single("Microsoft.OperationalInsights/workspaces")["id"]!,
            (string)properties["WorkspaceResourceId"]!);
    }

    private static string FunctionsTargetFramework()
    {
        // The Functions project may set its own TargetFramework; otherwise Directory.Build.props does.
        string[] candidates =
        [
            RepositoryRoot.Combine("functions", "FeedIngest.Functions", "FeedIngest.Functions.csproj"),
            RepositoryRoot.Combine("Directory.Build.props"),
        ];
        return candidates
            .Select(path => XDocument.Load(path).Descendants("TargetFramework").FirstOrDefault()?.Value.Trim())
            .First(value => !string.IsNullOrEmpty(value))!;
    }

    [GeneratedRegex(@"^net(?<version>\d+\.\d+)$")]
    private static partial Regex TargetFrameworkVersion();
}
