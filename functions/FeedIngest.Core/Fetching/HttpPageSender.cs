using System.Net;
using System.Net.Http.Headers;
using Azure;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace FeedIngest.Core.Fetching;

/// <summary>One request (no redirect following), as the fetcher sees it: a status and a body, or why there is none.</summary>
internal sealed record SendOutcome
{
    public required Uri Url { get; init; }
    public int StatusCode { get; init; }
    public byte[] Body { get; init; } = [];
    public string? ContentType { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public Uri? Location { get; init; }
    public int Attempts { get; init; }
    /// <summary>Set when no usable HTTP response came back (timeout, connection, size, content type, open circuit).</summary>
    public string? Failure { get; init; }
    /// <summary>The failure was a refusal on our side (size, content type), not the host's fault.</summary>
    public bool Rejected { get; init; }

    public bool IsRedirect => StatusCode is 301 or 302 or 303 or 307 or 308;
}

/// <summary>
/// Sends one GET through the resilient named client while holding the host's politeness lease, and turns every
/// network-level problem into a <see cref="SendOutcome.Failure"/> text. Only the caller's cancellation throws.
/// </summary>
internal sealed class HttpPageSender(IHttpClientFactory clients, IHostThrottle throttle, IOptions<FetchingOptions> options)
{
    public const string ClientName = "FeedIngest.Fetching";
    private readonly FetchingOptions _options = options.Value;

    public async Task<SendOutcome> SendAsync(
        Uri url, AcceptedContent accepted, HostPoliteness politeness, string? ifNoneMatch, DateTimeOffset? ifModifiedSince,
        CancellationToken cancellationToken)
    {
        var context = new FetchAttemptContext { Accepted = accepted, MaxBytes = _options.MaxResponseBytes };
        IAsyncDisposable lease;
        try
        {
            lease = await throttle.AcquireAsync(url.Authority.ToLowerInvariant(), politeness, cancellationToken);
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException && !cancellationToken.IsCancellationRequested)
        {
            // Azure.Core wraps failures after its own retries in an AggregateException.
            var inner = ex is AggregateException agg ? agg.InnerExceptions.LastOrDefault() ?? ex : ex;
            return new SendOutcome { Url = url, Failure = $"politeness store unavailable: {inner.Message.Split('\n')[0].Trim()}" };
        }
        await using var _ = lease;

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Options.Set(FetchAttemptContext.Key, context);
        request.Headers.Accept.ParseAdd(accepted.HasFlag(AcceptedContent.Xml)
            ? "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.1"
            : "text/html, application/xhtml+xml;q=0.9, */*;q=0.1");
        request.Headers.AcceptLanguage.ParseAdd("vi, en;q=0.5");
        if (!string.IsNullOrWhiteSpace(ifNoneMatch) && EntityTagHeaderValue.TryParse(ifNoneMatch, out var etag))
            request.Headers.IfNoneMatch.Add(etag);
        if (ifModifiedSince is not null) request.Headers.IfModifiedSince = ifModifiedSince;

        try
        {
            var client = clients.CreateClient(ClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            // CappedBodyHandler has already read (and capped) the body into memory.
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return new SendOutcome
            {
                Url = url,
                StatusCode = (int)response.StatusCode,
                Body = body,
                ContentType = response.Content.Headers.ContentType?.ToString(),
                Headers = Flatten(response),
                Location = response.Headers.Location,
                Attempts = context.Attempts,
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (FetchRejectedException ex)
        {
            return new SendOutcome { Url = url, Failure = ex.Message, Attempts = context.Attempts, Rejected = true };
        }
        catch (TimeoutRejectedException ex)
        {
            var total = Math.Abs(ex.Timeout.TotalSeconds - _options.TotalTimeoutSeconds) < 0.001;
            var what = total ? $"total timeout after {Seconds(ex.Timeout)} s" : $"timeout after {Seconds(ex.Timeout)} s";
            return new SendOutcome { Url = url, Failure = what + AttemptsSuffix(context.Attempts), Attempts = context.Attempts };
        }
        catch (BrokenCircuitException)
        {
            return new SendOutcome
            {
                Url = url, Failure = $"circuit open for host {url.Authority} after repeated failures", Attempts = context.Attempts,
            };
        }
        catch (HttpRequestException ex)
        {
            return new SendOutcome { Url = url, Failure = Describe(ex) + AttemptsSuffix(context.Attempts), Attempts = context.Attempts };
        }
        catch (OperationCanceledException)
        {
            // Not the caller's token: some inner timeout fired outside the pipeline's own strategies.
            return new SendOutcome { Url = url, Failure = "timeout" + AttemptsSuffix(context.Attempts), Attempts = context.Attempts };
        }
    }

    /// <summary>For robots.txt: follows redirects to any host (RFC 9309 §2.3.1.2), up to the configured bound.</summary>
    public async Task<SendOutcome> SendFollowingRedirectsAsync(
        Uri url, AcceptedContent accepted, HostPoliteness politeness, CancellationToken cancellationToken)
    {
        var current = url;
        for (var hop = 0; ; hop++)
        {
            var outcome = await SendAsync(current, accepted, politeness, null, null, cancellationToken);
            if (outcome.Failure is not null || !outcome.IsRedirect || outcome.Location is null) return outcome;
            if (hop >= _options.MaxRedirects)
                return outcome with { Failure = $"more than {_options.MaxRedirects} redirects" };
            current = new Uri(current, outcome.Location);
        }
    }

    internal static string AttemptsSuffix(int attempts) => attempts > 1 ? $" after {attempts} attempts" : "";

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    private static string Describe(HttpRequestException ex) => ex.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => "DNS lookup failed",
        HttpRequestError.ConnectionError => "connection failed",
        HttpRequestError.SecureConnectionError => "TLS handshake failed",
        HttpRequestError.ResponseEnded => "connection closed before the response was complete",
        _ when ex.Message.StartsWith("truncated body", StringComparison.Ordinal) => "truncated body",
        _ => Innermost(ex),
    };

    // "An error occurred while sending the request." says nothing; the innermost exception says what happened.
    private static string Innermost(Exception ex)
    {
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex.Message.TrimEnd('.');
    }

    private static Dictionary<string, string> Flatten(HttpResponseMessage response)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var h in response.Headers) headers[h.Key] = string.Join(", ", h.Value);
        foreach (var h in response.Content.Headers) headers[h.Key] = string.Join(", ", h.Value);
        return headers;
    }
}
