using FeedIngest.Infra.Tests.Infrastructure;

namespace FeedIngest.Infra.Tests;

[Collection(CompiledInfraCollection.Name)]
public sealed class StorageTests(CompiledInfra infra)
{
    [Fact]
    public void Storage_account_refuses_shared_key_access()
    {
        // Act
        var properties = infra.WithDeployer.StorageAccount["properties"]!;

        // Assert
        Assert.False((bool)properties["allowSharedKeyAccess"]!);
    }

    [Fact]
    public void Storage_account_refuses_anonymous_blob_access()
    {
        // Act
        var properties = infra.WithDeployer.StorageAccount["properties"]!;

        // Assert
        Assert.False((bool)properties["allowBlobPublicAccess"]!);
        Assert.All(
            infra.WithDeployer.ResourcesOfType("Microsoft.Storage/storageAccounts/blobServices/containers"),
            container => Assert.Equal("None", (string?)container["properties"]?["publicAccess"]));
    }

    [Fact]
    public void Storage_account_accepts_only_https_with_tls_1_2_or_newer()
    {
        // Act
        var properties = infra.WithDeployer.StorageAccount["properties"]!;

        // Assert
        Assert.True((bool)properties["supportsHttpsTrafficOnly"]!);
        Assert.Equal("TLS1_2", (string)properties["minimumTlsVersion"]!);
    }

    [Fact]
    public void Storage_account_is_a_general_purpose_v2_account()
    {
        // Act
        var account = infra.WithDeployer.StorageAccount;

        // Assert
        Assert.Equal("StorageV2", (string)account["kind"]!);
    }

    [Fact]
    public void Storage_has_the_containers_queues_and_tables_the_app_uses()
    {
        // Arrange
        var snapshot = infra.WithDeployer;

        // Act
        var containers = snapshot.ChildNames("Microsoft.Storage/storageAccounts/blobServices/containers");
        var queues = snapshot.ChildNames("Microsoft.Storage/storageAccounts/queueServices/queues");
        var tables = snapshot.ChildNames("Microsoft.Storage/storageAccounts/tableServices/tables");

        // Assert
        Assert.Subset(containers.ToHashSet(), new HashSet<string> { "articles", "raw", "attachments" });
        Assert.Equal(["article-events", "articles", "discover", "reprocess"], queues.Order(StringComparer.Ordinal));
        Assert.Equal(
            ["ArticleIndex", "Articles", "Attachments", "Boilerplate", "ContentIndex", "FetchState", "HealthObservations", "HostThrottle", "ReprocessJobs", "Runs",
             "SourceHealth", "SyndicationBands", "SyndicationClusters", "SyndicationSignatures", "Urls"],
            tables.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_container_table_and_queue_the_app_uses_is_deployed()
    {
        // Arrange: the names as the app's code declares them.
        var app = typeof(FeedIngest.Core.Storage.StorageNames).GetFields()
            .Where(f => f.IsLiteral && f.Name != nameof(FeedIngest.Core.Storage.StorageNames.Connection))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Append(FeedIngest.Core.Extraction.BoilerplateMemoryStore.TableName)
            .Append(new FeedIngest.Core.Fetching.FetchingOptions().ThrottleTableName)
            .Append(new FeedIngest.Core.Fetching.FetchingOptions().FetchStateTableName);

        // Act
        var deployed = infra.WithDeployer.ChildNames("Microsoft.Storage/storageAccounts/blobServices/containers")
            .Concat(infra.WithDeployer.ChildNames("Microsoft.Storage/storageAccounts/queueServices/queues"))
            .Concat(infra.WithDeployer.ChildNames("Microsoft.Storage/storageAccounts/tableServices/tables"))
            .ToHashSet();

        // Assert
        Assert.All(app, name => Assert.Contains(name, deployed));
    }

    [Fact]
    public void Deployment_package_container_is_created_in_the_same_account()
    {
        // Arrange
        var deploymentStorage = infra.WithDeployer.FunctionApp["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!;
        var containers = infra.WithDeployer.ChildNames("Microsoft.Storage/storageAccounts/blobServices/containers");

        // Act: the value is "<blob endpoint><container>", the endpoint being a reference() until deployed.
        var value = (string)deploymentStorage["value"]!;
        var deploymentContainer = containers.Single(name => name.StartsWith("app-package-", StringComparison.Ordinal));

        // Assert
        Assert.Equal("blobContainer", (string)deploymentStorage["type"]!);
        Assert.Contains($"'{deploymentContainer}'", value, StringComparison.Ordinal);
        Assert.Contains((string)infra.WithDeployer.StorageAccount["id"]!, value, StringComparison.Ordinal);
        Assert.True(deploymentContainer.Length <= 63, "Container names are at most 63 characters.");
    }

    [Fact]
    public void Article_blobs_keep_earlier_versions_and_survive_a_delete_for_a_while()
    {
        // Act
        var blobService = infra.WithDeployer.Single("Microsoft.Storage/storageAccounts/blobServices")["properties"]!;

        // Assert
        Assert.True((bool)blobService["isVersioningEnabled"]!);
        Assert.True((bool)blobService["deleteRetentionPolicy"]!["enabled"]!);
        Assert.True((int)blobService["deleteRetentionPolicy"]!["days"]! >= 1);
    }
}
