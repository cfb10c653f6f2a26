using Azure.Core;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.Core.Storage;

internal static class StorageClientsRegistration
{
    /// <summary>
    /// Registers Blob, Queue and Table clients from the "FeedIngestStorage" setting: either a connection
    /// string (local: UseDevelopmentStorage=true) or, as in the Functions host's identity-based connections,
    /// FeedIngestStorage__blobServiceUri / __queueServiceUri / __tableServiceUri with __credential=managedidentity
    /// and __clientId (user-assigned identity).
    /// </summary>
    public static IServiceCollection AddFeedIngestStorageClients(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(StorageNames.Connection);
        var connectionString = section.Value;
        // Not configured at all: register nothing, so stages that can work without storage (fetching with
        // in-process politeness, extraction) still resolve; the storage stages then fail to resolve.
        if (string.IsNullOrWhiteSpace(connectionString) && !section.GetChildren().Any()) return services;
        // Every request counted by service and resource (bench harvest reports requests per article from it).
        var counter = new StorageRequestCounter();
        services.AddSingleton(counter);
        services.AddAzureClients(clients =>
        {
            if (!string.IsNullOrWhiteSpace(connectionString))
            {
                clients.AddBlobServiceClient(connectionString).ConfigureOptions(o => o.AddPolicy(counter.PolicyFor("blob"), HttpPipelinePosition.PerRetry));
                clients.AddTableServiceClient(connectionString).ConfigureOptions(o => o.AddPolicy(counter.PolicyFor("table"), HttpPipelinePosition.PerRetry));
                clients.AddQueueServiceClient(connectionString).ConfigureOptions(o => { UseBase64(o); o.AddPolicy(counter.PolicyFor("queue"), HttpPipelinePosition.PerRetry); });
                return;
            }
            var blobUri = RequiredUri(section, "blobServiceUri");
            clients.AddBlobServiceClient(blobUri).ConfigureOptions(o => o.AddPolicy(counter.PolicyFor("blob"), HttpPipelinePosition.PerRetry));
            clients.AddTableServiceClient(RequiredUri(section, "tableServiceUri")).ConfigureOptions(o => o.AddPolicy(counter.PolicyFor("table"), HttpPipelinePosition.PerRetry));
            clients.AddQueueServiceClient(RequiredUri(section, "queueServiceUri")).ConfigureOptions(o => { UseBase64(o); o.AddPolicy(counter.PolicyFor("queue"), HttpPipelinePosition.PerRetry); });
            clients.UseCredential(CreateCredential(section));
        });
        return services;
    }

    // The Functions queue trigger decodes Base64 by default; everything we enqueue must match it.
    private static void UseBase64(QueueClientOptions options) => options.MessageEncoding = QueueMessageEncoding.Base64;

    private static Uri RequiredUri(IConfigurationSection section, string key) =>
        Uri.TryCreate(section[key], UriKind.Absolute, out var uri)
            ? uri
            : throw new InvalidOperationException(
                $"Storage is not configured: set '{StorageNames.Connection}' to a connection string, or '{StorageNames.Connection}__{key}' (with __credential and __clientId) to use a managed identity.");

    private static TokenCredential CreateCredential(IConfigurationSection section)
    {
        var clientId = section["clientId"];
        if (string.Equals(section["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase))
            return string.IsNullOrEmpty(clientId)
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId });
    }
}
