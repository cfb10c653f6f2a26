using System.Text.Json.Nodes;
using FeedIngest.Infra.Tests.Infrastructure;

namespace FeedIngest.Infra.Tests;

[Collection(CompiledInfraCollection.Name)]
public sealed class RoleAssignmentTests(CompiledInfra infra)
{
    // Built-in role definition ids, the same in every tenant.
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    private static readonly string[] StorageRoles = [StorageBlobDataOwner, StorageQueueDataContributor, StorageTableDataContributor];

    [Fact]
    public void App_identity_gets_exactly_the_three_storage_data_roles_on_the_account_and_metrics_publisher_on_app_insights()
    {
        // Arrange
        var snapshot = infra.AppOnly;
        var storageId = (string)snapshot.StorageAccount["id"]!;
        var appInsightsId = (string)snapshot.ApplicationInsights["id"]!;

        // Act
        var assignments = snapshot.ResourcesOfType("Microsoft.Authorization/roleAssignments");

        // Assert
        Assert.Equal(4, assignments.Count);
        Assert.All(assignments, assignment =>
        {
            Assert.Equal("ServicePrincipal", (string)assignment["properties"]!["principalType"]!);
            Assert.Contains(IdentityPrincipalReference(snapshot), (string)assignment["properties"]!["principalId"]!, StringComparison.Ordinal);
        });
        Assert.Equal(
            StorageRoles.Order(StringComparer.Ordinal),
            assignments.Where(assignment => ScopeOf(assignment) == storageId).Select(RoleOf).Order(StringComparer.Ordinal));
        Assert.Equal([MonitoringMetricsPublisher], assignments.Where(assignment => ScopeOf(assignment) == appInsightsId).Select(RoleOf));
    }

    [Fact]
    public void Role_definitions_are_subscription_level_built_in_roles()
    {
        // Act
        var definitions = infra.WithDeployer.ResourcesOfType("Microsoft.Authorization/roleAssignments")
            .Select(assignment => (string)assignment["properties"]!["roleDefinitionId"]!);

        // Assert
        Assert.All(definitions, definition => Assert.StartsWith(
            $"/subscriptions/{CompiledInfra.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/",
            definition,
            StringComparison.Ordinal));
    }

    [Fact]
    public void Deployer_gets_the_same_four_roles_when_a_principal_id_is_given()
    {
        // Act
        var deployerAssignments = infra.WithDeployer.ResourcesOfType("Microsoft.Authorization/roleAssignments")
            .Where(assignment => (string?)assignment["properties"]!["principalId"] == CompiledInfra.DeployerPrincipalId)
            .ToList();

        // Assert
        Assert.Equal(8, infra.WithDeployer.ResourcesOfType("Microsoft.Authorization/roleAssignments").Count);
        Assert.All(deployerAssignments, assignment => Assert.Equal("User", (string)assignment["properties"]!["principalType"]!));
        Assert.Equal(
            StorageRoles.Append(MonitoringMetricsPublisher).Order(StringComparer.Ordinal),
            deployerAssignments.Select(RoleOf).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Role_assignment_names_are_guid_of_scope_principal_and_role()
    {
        // Arrange: the deployer's principal id is known before deployment, so its names resolve fully.
        var deployerAssignments = infra.WithDeployer.ResourcesOfType("Microsoft.Authorization/roleAssignments")
            .Where(assignment => (string?)assignment["properties"]!["principalId"] == CompiledInfra.DeployerPrincipalId);
        var appAssignments = infra.AppOnly.ResourcesOfType("Microsoft.Authorization/roleAssignments");

        // Assert
        Assert.All(deployerAssignments, assignment => Assert.Equal(
            ArmGuid.Of(ScopeOf(assignment), CompiledInfra.DeployerPrincipalId, RoleOf(assignment)),
            (string)assignment["name"]!));

        // The app identity's principal id exists only after deployment: the name stays guid(scope, principal, role).
        Assert.All(appAssignments, assignment => Assert.Equal(
            $"[guid('{ScopeOf(assignment)}', {IdentityPrincipalReference(infra.AppOnly)}, '{RoleOf(assignment)}')]",
            (string)assignment["name"]!));
    }

    private static string RoleOf(JsonObject assignment) =>
        ((string)assignment["properties"]!["roleDefinitionId"]!).Split('/')[^1];

    /// <summary>The scope is the part of the assignment's id before /providers/Microsoft.Authorization/.</summary>
    private static string ScopeOf(JsonObject assignment)
    {
        var id = (string)assignment["id"]!;
        const string marker = "/providers/Microsoft.Authorization/roleAssignments/";
        if (id.StartsWith("[extensionResourceId('", StringComparison.Ordinal))
        {
            // extensionResourceId('<scope>', 'Microsoft.Authorization/roleAssignments', guid(...))
            var start = "[extensionResourceId('".Length;
            return id[start..id.IndexOf('\'', start)];
        }

        return id[..id.IndexOf(marker, StringComparison.Ordinal)];
    }

    private static string IdentityPrincipalReference(InfraSnapshot snapshot) =>
        $"reference('{(string)snapshot.Identity["id"]!}', '{(string)snapshot.Identity["apiVersion"]!}').principalId";
}
