using System.Security.Cryptography;
using AngleSharp.Html.Parser;
using FeedIngest.Core.Fetching;
using FeedIngest.Core.Sources;
using FeedIngest.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Attachments;

/// <summary>
/// The attachment stage of one article: finds the documents the body links to, fetches each through the same polite
/// fetcher (its own size cap; document content types only), reads it (magic bytes, zip-bomb guard, NFC text) and
/// stores bytes and text once per SHA-256 (<see cref="AttachmentStore"/>). Every link ends as an entry with a
/// <c>textStatus</c> and, when there is no text, a one-line reason; nothing about an attachment fails the article.
/// Storage failures throw (the article is retried; nothing references half-written blobs, the index row comes last).
/// </summary>
public sealed class AttachmentCollector(
    IPageFetcher fetcher,
    AttachmentTextExtractor reader,
    AttachmentStore store,
    IOptions<AttachmentOptions> options,
    ILogger<AttachmentCollector> logger)
{
    private static readonly HtmlParserOptions ParserOptions = new() { IsScripting = false, SkipComments = true };
    private readonly AttachmentOptions _options = options.Value;

    /// <summary>The links of the page's body (the element <paramref name="bodyElementIndex"/> of the untouched page).</summary>
    public IReadOnlyList<AttachmentLink> FindLinks(string html, int? bodyElementIndex, Uri pageUrl, SourceDefinition source)
    {
        if (!_options.Enabled || bodyElementIndex is not { } index) return [];
        var document = new HtmlParser(ParserOptions).ParseDocument(html);
        var all = document.All;
        if (index < 0 || index >= all.Length) return [];
        return AttachmentLinkFinder.Find(all[index], pageUrl, source.AllHosts().ToList());
    }

    /// <summary>Fetches, reads and stores the article's attachments (harvest, re-crawl, refetch).</summary>
    public async Task<IReadOnlyList<ArticleAttachmentDocument>> CollectAsync(IReadOnlyList<AttachmentLink> links, SourceDefinition source, string articleId, CancellationToken cancellationToken)
    {
        var entries = new List<ArticleAttachmentDocument>(links.Count);
        for (var i = 0; i < links.Count; i++)
        {
            var link = links[i];
            if (i >= _options.MaxPerArticle)
            {
                entries.Add(Entry(link, AttachmentTextStatus.OverLimit, $"more than {_options.MaxPerArticle} attachments on the page (FeedIngest:Attachments:MaxPerArticle)"));
                continue;
            }
            entries.Add(await CollectOneAsync(link, source, articleId, cancellationToken));
        }
        return entries;
    }

    /// <summary>
    /// Reprocessing from the archive (no network): links whose bytes are stored are read again when an older reader read
    /// them; the others keep what the previous version recorded, or are listed as not fetched.
    /// </summary>
    public async Task<IReadOnlyList<ArticleAttachmentDocument>> RereadAsync(IReadOnlyList<AttachmentLink> links, IReadOnlyList<ArticleAttachmentDocument> previous, CancellationToken cancellationToken)
    {
        var byUrl = previous.GroupBy(p => p.Url, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var entries = new List<ArticleAttachmentDocument>(links.Count);
        foreach (var link in links.Take(_options.MaxPerArticle))
        {
            if (!byUrl.TryGetValue(link.Url.AbsoluteUri, out var before))
            {
                entries.Add(Entry(link, AttachmentTextStatus.NotFetched, "linked by the page as re-read from the archive; fetched by the next refetch"));
                continue;
            }
            var stored = before.Sha256 is { } sha ? await store.FindAsync(sha, cancellationToken) : null;
            if (stored is null || stored.Blob.Length == 0)
            {
                entries.Add(before with { Name = link.Name });
                continue;
            }
            if (stored.ReaderVersion != AttachmentTextExtractor.Version)
                stored = await ReadAgainAsync(link, stored, cancellationToken);
            entries.Add(FromStored(link, stored));
        }
        return entries;
    }

    private async Task<StoredAttachment> ReadAgainAsync(AttachmentLink link, StoredAttachment stored, CancellationToken cancellationToken)
    {
        var bytes = await store.ReadBytesAsync(stored.Blob, cancellationToken);
        var result = reader.Extract(link, stored.ContentType, bytes);
        var textBlob = result.Text is null ? null : stored.TextBlob ?? Path.ChangeExtension(stored.Blob, ".txt");
        var updated = stored with { TextBlob = textBlob, Pages = result.Pages, TextStatus = result.TextStatus, Reason = result.Reason, ReaderVersion = AttachmentTextExtractor.Version };
        logger.LogInformation("Attachment {sha256} read again: {status}", stored.Sha256, result.TextStatus);
        return await store.UpdateReadingAsync(updated, result.Text, link.Url, cancellationToken);
    }

    private async Task<ArticleAttachmentDocument> CollectOneAsync(AttachmentLink link, SourceDefinition source, string articleId, CancellationToken cancellationToken)
    {
        var fetch = await fetcher.FetchAsync(new FetchRequest(link.Url)
        {
            AllowedHosts = source.AllHosts().ToArray(),
            Politeness = source.Politeness,
            AcceptDocuments = true,
            MaxBytes = _options.MaxBytes,
        }, cancellationToken);
        if (fetch.Outcome != FetchOutcome.Ok)
        {
            var (status, reason) = fetch.Cause switch
            {
                FailureCause.TooLarge => (AttachmentTextStatus.TooLarge, $"{fetch.FailureReason} (FeedIngest:Attachments:MaxBytes)"),
                FailureCause.ContentType => (AttachmentTextStatus.WrongType, fetch.FailureReason ?? "not a document type"),
                _ => (AttachmentTextStatus.FetchFailed, $"[{FailureCauses.Name(fetch.Cause)}] {fetch.FailureReason}"),
            };
            logger.LogInformation("Attachment {url} of {articleId}: {status}: {reason}", link.Url, articleId, status, reason);
            return Entry(link, status, reason) with { ContentType = fetch.ContentType };
        }

        var bytes = fetch.Body;
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        // Seen before (by this or any article): named by the first copy's blobs, neither stored nor read again.
        if (await store.FindAsync(sha, cancellationToken) is { } known) return FromStored(link, known);

        var result = reader.Extract(link, fetch.ContentType, bytes);
        if (!result.Storable)
        {
            logger.LogInformation("Attachment {url} of {articleId} refused: {status}: {reason}", link.Url, articleId, result.TextStatus, result.Reason);
            return Entry(link, result.TextStatus, result.Reason) with { ContentType = result.ContentType, Bytes = result.Bytes, Sha256 = result.Sha256 };
        }
        var stored = new StoredAttachment(sha, result.ContentType, result.Bytes,
            AttachmentStore.BlobName(source.Id, articleId, sha, AttachmentKinds.Extension(result.Kind)),
            result.Text is null ? null : AttachmentStore.TextBlobName(source.Id, articleId, sha),
            result.Pages, result.TextStatus, result.Reason, AttachmentTextExtractor.Version);
        // Another article may have stored the same bytes meanwhile: then its copy is the one named.
        return FromStored(link, await store.SaveAsync(stored, bytes, result.Text, link.Url, cancellationToken));
    }

    private static ArticleAttachmentDocument FromStored(AttachmentLink link, StoredAttachment stored) => new()
    {
        Name = link.Name, Url = link.Url.AbsoluteUri, ContentType = stored.ContentType, Bytes = stored.Bytes, Sha256 = stored.Sha256,
        Blob = stored.Blob, TextBlob = stored.TextStatus == AttachmentTextStatus.Extracted ? stored.TextBlob : null, Pages = stored.Pages,
        TextStatus = stored.TextStatus, Reason = stored.Reason,
    };

    private static ArticleAttachmentDocument Entry(AttachmentLink link, string status, string? reason) => new()
    {
        Name = link.Name, Url = link.Url.AbsoluteUri, TextStatus = status, Reason = reason,
    };
}
