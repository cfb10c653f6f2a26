namespace FeedIngest.Core.Sources;

/// <summary>The registry is unusable; <see cref="Problems"/> lists every problem with its JSON path.</summary>
public sealed class SourceRegistryValidationException(string location, IReadOnlyList<string> problems)
    : Exception($"Source registry {location} is invalid ({problems.Count} problem(s)):{Environment.NewLine}  "
                + string.Join(Environment.NewLine + "  ", problems))
{
    public string Location { get; } = location;
    public IReadOnlyList<string> Problems { get; } = problems;
}
