using FeedIngest.Infra.Tests.Infrastructure;

namespace FeedIngest.Infra.Tests;

[Collection(CompiledInfraCollection.Name)]
public sealed class AppSettingsTests(CompiledInfra infra)
{
    [Fact]
    public void App_settings_are_exactly_the_ones_local_settings_sample_names()
    {
        // Arrange
        var sample = LocalSettingsSample.Values();

        // Act
        var problems = AppSettingsContract.Problems(sample, infra.WithDeployer.AppSettings);

        // Assert
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Worker_runtime_comes_from_function_app_config_not_from_an_app_setting()
    {
        // Arrange
        var sample = LocalSettingsSample.Values();
        var runtime = infra.WithDeployer.FunctionApp["properties"]!["functionAppConfig"]!["runtime"]!;

        // Assert
        Assert.DoesNotContain(AppSettingsContract.WorkerRuntimeSetting, infra.WithDeployer.AppSettings.Keys);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", infra.WithDeployer.AppSettings.Keys);
        Assert.Equal(sample[AppSettingsContract.WorkerRuntimeSetting], (string)runtime["name"]!);
    }

    [Fact]
    public void Feedingest_storage_is_reached_through_blob_queue_and_table_uris_with_the_app_identity()
    {
        // Arrange
        var settings = infra.WithDeployer.AppSettings;
        var storageId = (string)infra.WithDeployer.StorageAccount["id"]!;
        var identityId = (string)infra.WithDeployer.Identity["id"]!;

        // Act
        var names = settings.Keys.Where(name => name.StartsWith("FeedIngestStorage", StringComparison.Ordinal)).Order(StringComparer.Ordinal);

        // Assert: exactly the names the app's storage clients read.
        Assert.Equal(
            [
                "FeedIngestStorage__blobServiceUri", "FeedIngestStorage__clientId", "FeedIngestStorage__credential",
                "FeedIngestStorage__queueServiceUri", "FeedIngestStorage__tableServiceUri",
            ],
            names);
        Assert.Equal("managedidentity", settings["FeedIngestStorage__credential"]);
        Assert.Equal($"[reference('{identityId}', '2023-01-31').clientId]", settings["FeedIngestStorage__clientId"]);
        foreach (var service in new[] { "blob", "queue", "table" })
        {
            Assert.Equal($"[reference('{storageId}', '2023-05-01').primaryEndpoints.{service}]", settings[$"FeedIngestStorage__{service}ServiceUri"]);
        }
    }

    [Fact]
    public void Host_storage_is_identity_based_with_the_same_identity()
    {
        // Arrange
        var settings = infra.WithDeployer.AppSettings;

        // Assert
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal(settings["FeedIngestStorage__clientId"], settings["AzureWebJobsStorage__clientId"]);
        Assert.Equal(settings["FeedIngestStorage__blobServiceUri"], settings["AzureWebJobsStorage__blobServiceUri"]);
    }

    [Fact]
    public void Application_insights_settings_use_the_connection_string_and_entra_id_not_an_instrumentation_key()
    {
        // Arrange
        var settings = infra.WithDeployer.AppSettings;
        var appInsightsId = (string)infra.WithDeployer.ApplicationInsights["id"]!;

        // Assert
        Assert.DoesNotContain("APPINSIGHTS_INSTRUMENTATIONKEY", settings.Keys);
        Assert.Equal($"[reference('{appInsightsId}', '2020-02-02').ConnectionString]", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"]);
        Assert.Equal(
            $"[format('ClientId={{0}};Authorization=AAD', {settings["AzureWebJobsStorage__clientId"][1..^1]})]",
            settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
    }

    [Fact]
    public void Contract_reports_a_setting_the_app_reads_but_infra_does_not_set()
    {
        // Arrange
        var sample = new Dictionary<string, string>(LocalSettingsSample.Values()) { ["FeedIngest__Fetching__UserAgent"] = "FeedIngest/1.0" };

        // Act
        var problems = AppSettingsContract.Problems(sample, infra.WithDeployer.AppSettings);

        // Assert
        Assert.Equal(["FeedIngest__Fetching__UserAgent is read by the app but not set."], problems);
    }

    [Fact]
    public void Contract_reports_a_setting_infra_sets_that_the_app_does_not_read()
    {
        // Arrange
        var settings = new Dictionary<string, string>(infra.WithDeployer.AppSettings) { ["FeedIngest__Unused"] = "1" };

        // Act
        var problems = AppSettingsContract.Problems(LocalSettingsSample.Values(), settings);

        // Assert
        Assert.Equal(["FeedIngest__Unused is set by infra but local.settings.sample.json does not name it."], problems);
    }

    [Fact]
    public void Contract_reports_a_storage_connection_string_with_a_key()
    {
        // Arrange
        var settings = new Dictionary<string, string>(infra.WithDeployer.AppSettings)
        {
            ["FeedIngestStorage"] = "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net",
        };
        settings.Remove("FeedIngestStorage__credential");

        // Act
        var problems = AppSettingsContract.Problems(LocalSettingsSample.Values(), settings);

        // Assert
        Assert.Contains("FeedIngestStorage is set as a connection string; it must be identity-based (FeedIngestStorage__…).", problems);
        Assert.Contains("FeedIngestStorage__credential must be 'managedidentity'.", problems);
        Assert.Contains("FeedIngestStorage holds a storage key or SAS.", problems);
    }

    [Fact]
    public void Contract_reports_a_worker_runtime_app_setting()
    {
        // Arrange
        var settings = new Dictionary<string, string>(infra.WithDeployer.AppSettings) { ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated" };

        // Act
        var problems = AppSettingsContract.Problems(LocalSettingsSample.Values(), settings);

        // Assert
        Assert.Equal(["FUNCTIONS_WORKER_RUNTIME is set; on Flex Consumption the runtime belongs in functionAppConfig.runtime."], problems);
    }
}
