using System.Text.Json;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Sources;

/// <summary>Loads the registry (a file path or an http(s) URL) and refuses it, with every problem listed, when invalid.</summary>
public sealed class SourceRegistryLoader(IOptions<FeedIngestOptions> options, IHttpClientFactory? httpClients = null)
{
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Loads <see cref="FeedIngestOptions.SourcesPath"/>.</summary>
    public Task<SourceRegistry> LoadAsync(CancellationToken cancellationToken) => LoadAsync(options.Value.SourcesPath, cancellationToken);

    /// <exception cref="SourceRegistryValidationException">The registry is missing, unreadable or invalid.</exception>
    public async Task<SourceRegistry> LoadAsync(string location, CancellationToken cancellationToken)
    {
        var json = await ReadAsync(location, cancellationToken);
        return Parse(json, location);
    }

    /// <summary>Validates and deserializes registry JSON.</summary>
    /// <exception cref="SourceRegistryValidationException">Any problem, each with its JSON path.</exception>
    public static SourceRegistry Parse(string json, string location = "(inline)")
    {
        var problems = SourceRegistryValidator.Validate(json);
        if (problems.Count > 0) throw new SourceRegistryValidationException(location, problems);
        return JsonSerializer.Deserialize<SourceRegistry>(json, JsonOptions)
            ?? throw new SourceRegistryValidationException(location, ["$: empty document"]);
    }

    private async Task<string> ReadAsync(string location, CancellationToken cancellationToken)
    {
        if (Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            using var client = httpClients?.CreateClient(nameof(SourceRegistryLoader)) ?? new HttpClient();
            try
            {
                return await client.GetStringAsync(uri, cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                throw new SourceRegistryValidationException(location, [$"$: could not download the registry: {ex.Message}"]);
            }
        }
        // A relative path that is not under the working folder is looked up beside the app (the Functions host's cwd differs).
        if (!File.Exists(location) && !Path.IsPathRooted(location) && File.Exists(Path.Combine(AppContext.BaseDirectory, location)))
            location = Path.Combine(AppContext.BaseDirectory, location);
        if (!File.Exists(location))
            throw new SourceRegistryValidationException(location, [$"$: file not found: {Path.GetFullPath(location)}"]);
        return await File.ReadAllTextAsync(location, cancellationToken);
    }
}
