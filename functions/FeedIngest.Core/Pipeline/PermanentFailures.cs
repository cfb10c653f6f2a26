using FeedIngest.Core.Fetching;

namespace FeedIngest.Core.Pipeline;

/// <summary>Fetch failures that the same request will meet again: recorded permanent in Urls instead of re-queued every run.</summary>
public static class PermanentFailures
{
    public static bool IsPermanent(FetchResult fetch)
    {
        if (fetch.Outcome != FetchOutcome.Failed) return false;
        if (fetch.StatusCode is 404 or 410) return true;
        var reason = fetch.FailureReason ?? "";
        return reason.StartsWith("content-type ", StringComparison.Ordinal)        // a PDF, an image: not an article page
            || reason.StartsWith("response larger than", StringComparison.Ordinal) // over the size cap
            || reason.StartsWith("more than ", StringComparison.Ordinal) && reason.EndsWith(" redirects", StringComparison.Ordinal)
            || reason.StartsWith("redirect loop", StringComparison.Ordinal);
    }
}
