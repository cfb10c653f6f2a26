using FeedIngest.Core.Extraction;
using FeedIngest.Core.Sources;

namespace FeedIngest.Core.Pipeline;

/// <summary>The extraction context for a source: its overrides and its learned cross-page boilerplate.</summary>
public sealed class ExtractionContextFactory
{
    public ValueTask<ExtractionContext> ForSourceAsync(SourceDefinition source, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ExtractionContext { SourceId = source.Id, Overrides = source.Extraction });
}
