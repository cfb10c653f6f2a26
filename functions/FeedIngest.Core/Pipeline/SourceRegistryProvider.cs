using System.Text.Json;
using FeedIngest.Core.Sources;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Pipeline;

/// <summary>The configured source registry (FeedIngest:SourcesPath, relative to the app folder when not found as given).</summary>
public sealed class SourceRegistryProvider(IOptions<FeedIngestOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public string ResolvePath(string? path = null)
    {
        var configured = path ?? options.Value.SourcesPath;
        if (File.Exists(configured) || Path.IsPathRooted(configured)) return Path.GetFullPath(configured);
        var besideApp = Path.Combine(AppContext.BaseDirectory, configured);
        return File.Exists(besideApp) ? besideApp : Path.GetFullPath(configured);
    }

    /// <summary>Loads the registry and refuses it, listing every problem, when it is not valid.</summary>
    public async Task<SourceRegistry> LoadValidatedAsync(string? path = null, CancellationToken cancellationToken = default)
    {
        var file = ResolvePath(path);
        if (!File.Exists(file)) throw new SourceRegistryException(file, [$"$: file not found"]);
        SourceRegistry registry;
        try
        {
            registry = await LoadAsync(file, cancellationToken);
        }
        catch (JsonException e)
        {
            throw new SourceRegistryException(file, [$"{e.Path ?? "$"}: {e.Message}"]);
        }
        var problems = SourceRegistryValidator.Validate(registry);
        if (problems.Count > 0) throw new SourceRegistryException(file, problems);
        return registry;
    }

    public async Task<SourceRegistry> LoadAsync(string? path = null, CancellationToken cancellationToken = default)
    {
        var file = ResolvePath(path);
        await using var stream = File.OpenRead(file);
        return await JsonSerializer.DeserializeAsync<SourceRegistry>(stream, Json, cancellationToken)
               ?? throw new InvalidDataException($"{file}: empty registry");
    }
}
