using System.Collections.Concurrent;
using FeedIngest.Core.Extraction;
using FeedIngest.Core.Sources;
using Microsoft.Extensions.Logging;

namespace FeedIngest.Core.Pipeline;

/// <summary>
/// The extraction context for a source: its overrides and its learned cross-page boilerplate. The memory is
/// loaded once per process (a failed load is retried, never cached) and its growth is merged into the stored
/// memory every <see cref="SaveEvery"/> pages (and at the end of a CLI source), so every run and every Function
/// instance builds on what the others learned and their counts add up.
/// </summary>
public sealed class ExtractionContextFactory(BoilerplateMemoryStore store, ILogger<ExtractionContextFactory> logger)
{
    /// <summary>Pages between two saves of a source's memory: frequent enough to share, rare enough to stay cheap.</summary>
    public const int SaveEvery = 20;

    private readonly ConcurrentDictionary<string, Lazy<Task<IBoilerplateMemory>>> _memories = new();
    private readonly ConcurrentDictionary<string, int> _unsaved = new();

    public async ValueTask<ExtractionContext> ForSourceAsync(SourceDefinition source, CancellationToken cancellationToken)
    {
        var lazy = _memories.GetOrAdd(source.Id, id => new Lazy<Task<IBoilerplateMemory>>(() => store.LoadAsync(id, CancellationToken.None)));
        IBoilerplateMemory memory;
        try
        {
            memory = await lazy.Value;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not cached and never saved: an empty memory kept for the process's life would teach nothing and, saved,
            // would hide what the stored one knows. This page goes without; the next one tries the load again.
            _memories.TryRemove(KeyValuePair.Create(source.Id, lazy));
            logger.LogWarning(e, "Could not load the boilerplate memory of {sourceId}; this page goes without it", source.Id);
            memory = new BoilerplateMemory();
        }
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
        if (!_memories.TryGetValue(sourceId, out var lazy) || !lazy.IsValueCreated || !lazy.Value.IsCompletedSuccessfully) return;
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
}
