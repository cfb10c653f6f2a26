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
    /// <summary>The cause of <see cref="Failure"/>.</summary>
    public FailureCause Cause { get; init; }
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
    // What last failed per host, so an open circuit still says why it opened.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, FailureCause> _lastCause = new(StringComparer.OrdinalIgnoreCase);

    public async Task<SendOutcome> SendAsync(
        Uri url, AcceptedContent accepted, HostPoliteness politeness, string? ifNoneMatch, DateTimeOffset? ifModifiedSince,
        CancellationToken cancellationToken, long? maxBytes = null)
    {
        var hostKey = url.Authority.ToLowerInvariant();
        var context = new FetchAttemptContext { Accepted = accepted, MaxBytes = maxBytes ?? _options.MaxResponseBytes, HostKey = hostKey, Politeness = politeness };
        IAsyncDisposable lease;
        try
        {
            lease = await throttle.AcquireAsync(hostKey, politeness, cancellationToken);
        }
        catch (Exception ex) when (Storage.StorageFailures.IsUnreachable(ex) && !cancellationToken.IsCancellationRequested)
        {
            // Our storage is down, not the page: the caller stops (CLI, exit 4) or the queue delivers the message again,
            // instead of recording a page as failed for a fault that is not its own.
            throw new Storage.StorageUnavailableException(ex);
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException && !cancellationToken.IsCancellationRequested)
        {
            // Azure.Core wraps failures after its own retries in an AggregateException.
            var inner = ex is AggregateException agg ? agg.InnerExceptions.LastOrDefault() ?? ex : ex;
            return new SendOutcome { Url = url, Cause = FailureCause.Storage, Failure = $"politeness store unavailable: {inner.Message.Split('\n')[0].Trim()}" };
        }
        await using var _ = lease;
        context.Lease = lease;

        SendOutcome outcome;
        while (true)
        {
            using var request = NewRequest(url, accepted, ifNoneMatch, ifModifiedSince, context);
            try
            {
                outcome = await SendCoreAsync(url, request, context, cancellationToken);
                break;
            }
            catch (MissedTurnException)
            {
                // Woke too late for the host's turn (nothing was sent): the next turn is waited for here, outside the
                // request's timeouts, and a new request message goes (a sent message cannot be sent again).
                await throttle.RetakeTurnAsync(lease, politeness, cancellationToken);
            }
        }
        if (outcome.Failure is not null && outcome.Cause is not FailureCause.Other) _lastCause[hostKey] = outcome.Cause;
        return outcome;
    }

    private static HttpRequestMessage NewRequest(Uri url, AcceptedContent accepted, string? ifNoneMatch, DateTimeOffset? ifModifiedSince, FetchAttemptContext context)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Options.Set(FetchAttemptContext.Key, context);
        request.Headers.Accept.ParseAdd(accepted.HasFlag(AcceptedContent.Documents)
            ? "application/pdf, application/vnd.openxmlformats-officedocument.wordprocessingml.document, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/msword, application/vnd.ms-excel, */*;q=0.1"
            : accepted.HasFlag(AcceptedContent.Xml)
            ? "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.1"
            : "text/html, application/xhtml+xml;q=0.9, */*;q=0.1");
        request.Headers.AcceptLanguage.ParseAdd("vi, en;q=0.5");
        if (!string.IsNullOrWhiteSpace(ifNoneMatch) && EntityTagHeaderValue.TryParse(ifNoneMatch, out var etag))
            request.Headers.IfNoneMatch.Add(etag);
        if (ifModifiedSince is not null) request.Headers.IfModifiedSince = ifModifiedSince;
        return request;
    }

    private async Task<SendOutcome> SendCoreAsync(Uri url, HttpRequestMessage request, FetchAttemptContext context, CancellationToken cancellationToken)
    {
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
            return new SendOutcome { Url = url, Cause = ex.Cause, Failure = ex.Message, Attempts = context.Attempts, Rejected = true };
        }
        catch (TimeoutRejectedException ex)
        {
            var total = Math.Abs(ex.Timeout.TotalSeconds - _options.TotalTimeoutSeconds) < 0.001;
            var what = total ? $"total timeout after {Seconds(ex.Timeout)} s" : $"timeout after {Seconds(ex.Timeout)} s";
            return new SendOutcome { Url = url, Cause = FailureCause.Timeout, Failure = what + AttemptsSuffix(context.Attempts), Attempts = context.Attempts };
        }
        catch (BrokenCircuitException)
        {
            var authority = url.Authority;
            var last = _lastCause.GetValueOrDefault(authority.ToLowerInvariant(), FailureCause.Other);
            return new SendOutcome
            {
                Url = url, Cause = last, Attempts = context.Attempts,
                Failure = $"circuit open for host {authority} after repeated failures" + (last == FailureCause.Other ? "" : $" ({FailureCauses.Name(last)})"),
            };
        }
        catch (HttpRequestException ex)
        {
            var (cause, text) = Classify(ex);
            return new SendOutcome { Url = url, Cause = cause, Failure = text + AttemptsSuffix(context.Attempts), Attempts = context.Attempts };
        }
        catch (OperationCanceledException)
        {
            // Not the caller's token: some inner timeout fired outside the pipeline's own strategies.
            return new SendOutcome { Url = url, Cause = FailureCause.Timeout, Failure = "timeout" + AttemptsSuffix(context.Attempts), Attempts = context.Attempts };
        }
    }

    /// <summary>
    /// For robots.txt: follows redirects (RFC 9309 §2.3.1.2) up to the configured bound, but only to hosts
    /// <paramref name="isAllowedHost"/> accepts (the source's hosts): a robots.txt is never a way off the source.
    /// </summary>
    public async Task<SendOutcome> SendFollowingRedirectsAsync(
        Uri url, AcceptedContent accepted, HostPoliteness politeness, Func<Uri, bool> isAllowedHost, CancellationToken cancellationToken)
    {
        var current = url;
        for (var hop = 0; ; hop++)
        {
            var outcome = await SendAsync(current, accepted, politeness, null, null, cancellationToken);
            if (outcome.Failure is not null || !outcome.IsRedirect || outcome.Location is null) return outcome;
            if (hop >= _options.MaxRedirects)
                return outcome with { Cause = FailureCause.Redirects, Failure = $"more than {_options.MaxRedirects} redirects" };
            var next = new Uri(current, outcome.Location);
            if (!isAllowedHost(next))
                return outcome with { Cause = FailureCause.OffSourceHost, Failure = $"redirect to foreign host {next.Host}" };
            current = next;
        }
    }

    internal static string AttemptsSuffix(int attempts) => attempts > 1 ? $" after {attempts} attempts" : "";

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The cause and a one-line description of a request that got no response.</summary>
    internal static (FailureCause Cause, string Text) Classify(HttpRequestException ex)
    {
        var blocked = Find<AddressBlockedException>(ex);
        if (blocked is not null) return (FailureCause.AddressBlocked, blocked.Message);
        var socket = Find<System.Net.Sockets.SocketException>(ex);
        if (ex.HttpRequestError == HttpRequestError.NameResolutionError
            || socket?.SocketErrorCode is System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.NoData or System.Net.Sockets.SocketError.TryAgain)
            return (FailureCause.Dns, "DNS lookup failed" + (socket is null ? "" : $" ({socket.Message.TrimEnd('.')})"));
        if (ex.HttpRequestError == HttpRequestError.SecureConnectionError || Find<System.Security.Authentication.AuthenticationException>(ex) is not null)
            return (FailureCause.Tls, "TLS handshake failed" + (Find<System.Security.Authentication.AuthenticationException>(ex) is { } auth ? $" ({auth.Message.TrimEnd('.')})" : ""));
        if (socket?.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionRefused)
            return (FailureCause.ConnectionRefused, "connection refused");
        if (socket?.SocketErrorCode == System.Net.Sockets.SocketError.TimedOut)
            return (FailureCause.Timeout, "connect timed out");
        if (ex.HttpRequestError == HttpRequestError.ConnectionError)
            // Unreachable network or host, reset during connect: the host could not be connected to.
            return (FailureCause.ConnectionRefused, "connection failed" + (socket is null ? "" : $" ({socket.Message.TrimEnd('.')})"));
        if (ex.HttpRequestError == HttpRequestError.ResponseEnded) return (FailureCause.Other, "connection closed before the response was complete");
        if (ex.Message.StartsWith("truncated body", StringComparison.Ordinal)) return (FailureCause.Other, "truncated body");
        return (FailureCause.Other, Innermost(ex));
    }

    private static T? Find<T>(Exception ex) where T : Exception
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }

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
