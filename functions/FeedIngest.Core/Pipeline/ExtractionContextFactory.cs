using System.Collections.Concurrent;
using FeedIngest.Core.Extraction;
using FeedIngest.Core.Sources;
using Microsoft.Extensions.Logging;

namespace FeedIngest.Core.Pipeline;

/// <summary>
/// The extraction context for a source: its overrides and its learned cross-page boilerplate. The memory is
/// loaded once per process and saved every <see cref="SaveEvery"/> pages (and at the end of a CLI source), so
/// every run and every Function instance builds on what the others learned.
/// </summary>
public sealed class ExtractionContextFactory(BoilerplateMemoryStore store, ILogger<ExtractionContextFactory> logger)
{
    /// <summary>Pages between two saves of a source's memory: frequent enough to share, rare enough to stay cheap.</summary>
    public const int SaveEvery = 20;

    private readonly ConcurrentDictionary<string, Lazy<Task<IBoilerplateMemory>>> _memories = new();
    private readonly ConcurrentDictionary<string, int> _unsaved = new();

    public async ValueTask<ExtractionContext> ForSourceAsync(SourceDefinition source, CancellationToken cancellationToken)
    {
        var memory = await _memories.GetOrAdd(source.Id, id => new Lazy<Task<IBoilerplateMemory>>(() => LoadAsync(id))).Value;
        return new ExtractionContext { SourceId = source.Id, Overrides = source.Extraction, Boilerplate = memory };
    }

    /// <summary>Counts one extracted page of the source and saves its memory when enough pages have been seen.</summary>
    public async Task PageExtractedAsync(string sourceId, CancellationToken cancellationToken)
    {
        if (_unsaved.AddOrUpdate(sourceId, 1, (_, n) => n + 1) >= SaveEvery)
            await SaveAsync(sourceId, cancellationToken);
    }

    public async Task SaveAsync(string sourceId, CancellationToken cancellationToken)
    {
        if (!_memories.TryGetValue(sourceId, out var lazy) || !lazy.IsValueCreated) return;
        _unsaved[sourceId] = 0;
        try
        {
            await store.SaveAsync(sourceId, await lazy.Value, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Learning is an optimisation: a failed save costs some cleaning next time, never an article.
            logger.LogWarning(e, "Could not save the boilerplate memory of {sourceId}", sourceId);
        }
    }

    private async Task<IBoilerplateMemory> LoadAsync(string sourceId)
    {
        try
        {
            return await store.LoadAsync(sourceId, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not load the boilerplate memory of {sourceId}; starting empty", sourceId);
            return new BoilerplateMemory();
        }
    }
}
