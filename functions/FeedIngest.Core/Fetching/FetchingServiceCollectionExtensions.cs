using System.Net;
using System.Net.Http;
using Azure.Data.Tables;
using FeedIngest.Core.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Telemetry;

namespace FeedIngest.Core.Fetching;

public static class FetchingServiceCollectionExtensions
{
    /// <summary>
    /// The fetcher, its resilient HttpClient and the politeness/robots/conditional-state services. Politeness and
    /// conditional state live in storage when a <see cref="TableServiceClient"/> (and, for politeness, a QueueServiceClient) is registered, else in process.
    /// </summary>
    public static IServiceCollection AddFeedIngestFetching(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FetchingOptions>().Bind(configuration.GetSection(FetchingOptions.SectionName))
            .Validate(o => o.MaxResponseBytes > 0, "FeedIngest:Fetching:MaxResponseBytes must be positive")
            // Polly accepts timeouts from 10 ms to a day.
            .Validate(o => o.AttemptTimeoutSeconds is >= 0.01 and <= 86400, "FeedIngest:Fetching:AttemptTimeoutSeconds must be between 0.01 and 86400")
            .Validate(o => o.TotalTimeoutSeconds >= o.AttemptTimeoutSeconds && o.TotalTimeoutSeconds <= 86400,
                "FeedIngest:Fetching:TotalTimeoutSeconds must be at least AttemptTimeoutSeconds (and at most 86400)")
            .Validate(o => o.MaxRetries is >= 0 and <= 10, "FeedIngest:Fetching:MaxRetries must be between 0 and 10")
            .Validate(o => o.MaxRedirects is >= 0 and <= 20, "FeedIngest:Fetching:MaxRedirects must be between 0 and 20")
            .Validate(o => o.RetryBaseDelaySeconds >= 0 && o.MaxRetryDelaySeconds >= o.RetryBaseDelaySeconds,
                "FeedIngest:Fetching:RetryBaseDelaySeconds must be ≥ 0 and ≤ MaxRetryDelaySeconds")
            .Validate(o => o.CircuitBreakerFailureRatio is > 0 and <= 1 && o.CircuitBreakerMinimumThroughput >= 2
                           && o.CircuitBreakerSamplingSeconds >= 0.5 && o.CircuitBreakerBreakSeconds >= 0.5,
                "FeedIngest:Fetching:CircuitBreaker* out of range (ratio 0-1, throughput ≥ 2, durations ≥ 0.5 s)")
            .Validate(o => o.SlotLeaseSeconds >= o.TotalTimeoutSeconds,
                "FeedIngest:Fetching:SlotLeaseSeconds must outlast TotalTimeoutSeconds, or a live fetch could lose its slot")
            .Validate(o => AddressGuard.TryParseNetworks(o.AllowedPrivateNetworks, out _, out _),
                "FeedIngest:Fetching:AllowedPrivateNetworks must be CIDRs or addresses separated by commas (e.g. 127.0.0.1/32)")
            .ValidateOnStart();
        services.TryAddSingleton(sp =>
        {
            AddressGuard.TryParseNetworks(sp.GetRequiredService<IOptions<FetchingOptions>>().Value.AllowedPrivateNetworks, out var networks, out _);
            return new AddressGuard(networks);
        });
        // Polly reports every retried attempt as a warning with the exception's stack trace; a fetch failure is
        // reported once, with its cause, by PageFetcher. The attempts stay visible at Debug (feedingest --verbose).
        services.Configure<TelemetryOptions>(o => o.SeverityProvider = args =>
            args.Event.EventName is "OnCircuitOpened" ? ResilienceEventSeverity.Information : ResilienceEventSeverity.Debug);
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton(sp => new InProcessHostThrottle(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IHostThrottle>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<FetchingOptions>>().Value;
            var local = sp.GetRequiredService<InProcessHostThrottle>();
            var tables = sp.GetService<TableServiceClient>();
            var queues = sp.GetService<Azure.Storage.Queues.QueueServiceClient>();
            if (!options.DistributedPoliteness || tables is null || queues is null) return local;
            // A claimed slot serves new requests for up to 10 s, and never so late that a fetch could outlive its lease.
            var holdFor = TimeSpan.FromSeconds(Math.Min(10, options.SlotLeaseSeconds - options.TotalTimeoutSeconds));
            return new SharedHostThrottle(
                queues, tables, options.ThrottleTableName, TimeSpan.FromSeconds(options.SlotLeaseSeconds), local,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SharedHostThrottle>>(), Initializer(sp, tables), holdFor);
        });
        services.TryAddSingleton<IFetchStateStore>(sp =>
        {
            var tables = sp.GetService<TableServiceClient>();
            return tables is null
                ? new InMemoryFetchStateStore()
                : new TableFetchStateStore(tables, sp.GetRequiredService<IOptions<FetchingOptions>>().Value.FetchStateTableName, Initializer(sp, tables));
        });

        services.TryAddSingleton<HttpPageSender>();
        services.TryAddSingleton<IRobotsTxtCache>(sp => new RobotsTxtCache(
            sp.GetRequiredService<HttpPageSender>(), sp.GetRequiredService<IOptions<FetchingOptions>>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RobotsTxtCache>>()));
        services.TryAddSingleton<IPageFetcher>(sp => new PageFetcher(
            sp.GetRequiredService<HttpPageSender>(), sp.GetRequiredService<IRobotsTxtCache>(),
            sp.GetRequiredService<IOptions<FetchingOptions>>(), sp.GetRequiredService<ILogger<PageFetcher>>()));

        services.TryAddTransient<CappedBodyHandler>();
        services.TryAddTransient<AttemptSpacingHandler>();
        services.TryAddTransient<LeavingMarkHandler>();
        services.AddHttpClient(HttpPageSender.ClientName, (sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<FetchingOptions>>().Value;
                var contact = sp.GetRequiredService<IOptions<FeedIngestOptions>>().Value.ContactUrl;
                // The pipeline's timeouts govern; HttpClient's own 100 s default would cut across them.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.Clear();
                client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", options.EffectiveUserAgent(contact));
            })
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                // Redirects are followed by PageFetcher, one hop at a time, so each hop's host is checked.
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.All,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<FetchingOptions>>().Value.AttemptTimeoutSeconds),
                // The SSRF guard: every connection (every hop, every host) is checked after DNS resolution. A proxy
                // would make the guard judge the proxy's address instead of the portal's, so none is used.
                ConnectCallback = ConnectAndMarkSent(sp.GetRequiredService<AddressGuard>(), sp.GetRequiredService<IHostThrottle>()),
                UseProxy = false,
            })
            // Outer pipeline: total timeout and retries, once per logical request.
            .AddResilienceHandler("fetch", (pipeline, context) =>
                ConfigureRetryPipeline(pipeline, context.ServiceProvider.GetRequiredService<IOptions<FetchingOptions>>().Value));
        // Between them, once per attempt: a retry waits for the host's next turn (outside the attempt timeout).
        services.AddHttpClient(HttpPageSender.ClientName).AddHttpMessageHandler<AttemptSpacingHandler>()
            // Inner pipeline, per attempt: circuit breaker and attempt timeout.
            .AddResilienceHandler("attempt", (pipeline, context) =>
                ConfigureAttemptPipeline(pipeline, context.ServiceProvider.GetRequiredService<IOptions<FetchingOptions>>().Value))
            // One inner pipeline instance (and so one circuit breaker) per scheme+host+port.
            .SelectPipelineByAuthority();
        // Innermost, once per attempt, inside the attempt timeout: content type and size caps while reading the body.
        services.AddHttpClient(HttpPageSender.ClientName).AddHttpMessageHandler<CappedBodyHandler>()
            // Last before the socket: the host's next turn counts from the moment the request leaves.
            .AddHttpMessageHandler<LeavingMarkHandler>();
        return services;
    }

    /// <summary>The app's StorageInitializer; where fetching is registered alone (no AddFeedIngest), one over the same account.</summary>
    private static StorageInitializer Initializer(IServiceProvider sp, TableServiceClient tables) =>
        sp.GetService<StorageInitializer>() ?? new StorageInitializer(
            sp.GetService<Azure.Storage.Blobs.BlobServiceClient>() ?? new Azure.Storage.Blobs.BlobServiceClient(new Uri(tables.Uri.GetLeftPart(UriPartial.Authority))),
            tables, sp.GetService<Azure.Storage.Queues.QueueServiceClient>() ?? new Azure.Storage.Queues.QueueServiceClient(new Uri(tables.Uri.GetLeftPart(UriPartial.Authority))),
            sp.GetService<IOptions<FetchingOptions>>());

    /// <summary>
    /// The guarded connect, then the host's turn counted again from the moment the connection is up: a new connection
    /// (and a process's first one, with its JIT) can take hundreds of milliseconds after the request left the
    /// handlers, and the next request to the host must still wait the full delay after this one reached it.
    /// </summary>
    private static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectAndMarkSent(AddressGuard guard, IHostThrottle throttle) =>
        async (context, cancellationToken) =>
        {
            var stream = await guard.ConnectAsync(context, cancellationToken);
            if (context.InitialRequestMessage.Options.TryGetValue(FetchAttemptContext.Key, out var attempt) && attempt is { HostKey: { } host, Politeness: { } politeness })
                throttle.MarkSent(host, politeness);
            return stream;
        };

    /// <summary>A refused address stays refused: asking again cannot help.</summary>
    private static bool IsFinal(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is AddressBlockedException) return true;
        return false;
    }

    /// <summary>The server's Retry-After (seconds or an HTTP date) as a delay from now; null when absent.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        var header = response?.Headers.RetryAfter;
        if (header is null) return null;
        if (header.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    /// <summary>The logical request: total timeout → retry (exponential, jitter, Retry-After).</summary>
    internal static void ConfigureRetryPipeline(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, FetchingOptions options)
    {
        pipeline.AddTimeout(new HttpTimeoutStrategyOptions
        {
            Name = "total",
            Timeout = TimeSpan.FromSeconds(options.TotalTimeoutSeconds),
        });
        if (options.MaxRetries > 0)
        {
            var maxDelay = TimeSpan.FromSeconds(options.MaxRetryDelaySeconds);
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromSeconds(options.RetryBaseDelaySeconds),
                MaxDelay = maxDelay,
                // Retry-After is honoured by the generator below (ours, so the limit is certain).
                ShouldRetryAfterHeader = false,
                // Transient failures, except a host that asks us to stay away longer than we would wait:
                // that answer is final for this fetch, and asking again sooner would be rude.
                ShouldHandle = args => ValueTask.FromResult(
                    HttpClientResiliencePredicates.IsTransient(args.Outcome)
                    && !IsFinal(args.Outcome.Exception)
                    && !(RetryAfter(args.Outcome.Result) > maxDelay)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
            });
        }
    }

    /// <summary>One attempt: circuit breaker (per host) → attempt timeout.</summary>
    internal static void ConfigureAttemptPipeline(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, FetchingOptions options)
    {
        pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            FailureRatio = options.CircuitBreakerFailureRatio,
            MinimumThroughput = options.CircuitBreakerMinimumThroughput,
            SamplingDuration = TimeSpan.FromSeconds(options.CircuitBreakerSamplingSeconds),
            BreakDuration = TimeSpan.FromSeconds(options.CircuitBreakerBreakSeconds),
        });
        pipeline.AddTimeout(new HttpTimeoutStrategyOptions
        {
            Name = "attempt",
            Timeout = TimeSpan.FromSeconds(options.AttemptTimeoutSeconds),
        });
    }
}
