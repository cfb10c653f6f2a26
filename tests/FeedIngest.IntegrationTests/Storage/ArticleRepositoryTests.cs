using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using FeedIngest.Core.Storage;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Storage;

/// <summary>The storage contract against a real Azurite: names, idempotence, versions, dedupe, events.</summary>
public sealed class ArticleRepositoryTests : IAsyncLifetime
{
    private AzuriteAccount _azurite = null!;
    private ArticleRepository _repository = null!;
    private BlobContainerClient _articles = null!;
    private QueueClient _events = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteAccount.LeaseAsync();
        var queues = new QueueServiceClient(_azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var blobs = new BlobServiceClient(_azurite.ConnectionString);
        var tables = new TableServiceClient(_azurite.ConnectionString);
        var storage = new StorageInitializer(blobs, tables, queues);
        var rows = new ArticleRows(tables, storage);
        _repository = new ArticleRepository(rows, new ArticleBlobStore(blobs, storage), new ContentIndex(tables, rows, storage), new ArticleIndex(tables, storage),
            new ArticleEventOutbox(tables, rows, new ArticleEventPublisher(queues, storage)), storage);
        _articles = new BlobServiceClient(_azurite.ConnectionString).GetBlobContainerClient(StorageNames.ArticlesContainer);
        _events = queues.GetQueueClient(StorageNames.ArticleEventsQueue);
    }

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    private static ArticleDocument Document(string text, string articleId = "0123456789abcdef", string? publishedAt = "2024-11-21T19:41:00+07:00", string extractor = "1.0.0") => new()
    {
        ArticleId = articleId,
        SourceId = "hbt",
        Url = "https://example.gov.vn/tin-tuc/a.html",
        CanonicalUrl = "https://example.gov.vn/tin-tuc/a.html",
        Title = "Tiêu đề",
        PublishedAt = publishedAt,
        Text = text,
        ContentHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))),
        ExtractorVersion = extractor,
        FetchedAt = "2024-11-22T01:00:00+00:00",
        ClusterId = articleId,
    };

    [Fact]
    public async Task OversizedValuesAreCappedOnTheRowAndKeptWholeInTheBlobsAndTheArticleIsFoundByIdAndDay()
    {
        var title = new string('T', 40_000);
        var document = Document("Nội dung bài viết.") with { Title = title, Author = new string('A', 50_000) };

        await _repository.SaveAsync(document, new StoreContext(null, new string('e', 5_000), null, "run"), CancellationToken.None);

        var row = (await _repository.GetRowAsync("hbt", document.ArticleId, CancellationToken.None))!;
        Assert.True(row.Title!.Length <= StorageLimits.MaxPropertyChars && row.Title.EndsWith('…'));
        Assert.True(row.Author!.Length <= StorageLimits.MaxPropertyChars);
        Assert.True(row.HttpETag!.Length <= StorageLimits.MaxPropertyChars);
        var json = (await _repository.GetDocumentJsonAsync("hbt", document.ArticleId, CancellationToken.None))!;
        Assert.Equal(title, (string?)System.Text.Json.Nodes.JsonNode.Parse(json)!["title"]);
        // The indexes: id → source, and the Vietnam publish day (21 Nov 2024, 19:41 +07:00).
        var tables = new TableServiceClient(_azurite.ConnectionString);
        var index = new ArticleIndex(tables, new StorageInitializer(new BlobServiceClient(_azurite.ConnectionString), tables,
            new QueueServiceClient(_azurite.ConnectionString)));
        Assert.Equal(["hbt"], await index.SourcesOfAsync(document.ArticleId, CancellationToken.None));
        var listed = new List<ArticleDayEntity>();
        await foreach (var day in index.ListByDayAsync(new DateOnly(2024, 11, 20), new DateOnly(2024, 11, 22), "hbt", CancellationToken.None)) listed.Add(day);
        Assert.Equal(ArticleIndex.DayKey(new DateOnly(2024, 11, 21)), Assert.Single(listed).PartitionKey);
    }

    [Fact]
    public async Task AMessageOverTheQueueLimitIsRefusedBeforeItIsSent()
    {
        var tables = new TableServiceClient(_azurite.ConnectionString);
        var queues = new QueueServiceClient(_azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var work = new FeedIngest.Core.Pipeline.WorkQueues(queues, new StorageInitializer(new BlobServiceClient(_azurite.ConnectionString), tables, queues));
        var huge = new FeedIngest.Core.Pipeline.ArticleMessage("run", "hbt", "https://example.gov.vn/" + new string('x', 60_000));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            work.SendManyAsync(StorageNames.ArticlesQueue, [new FeedIngest.Core.Pipeline.ArticleMessage("run", "hbt", "https://example.gov.vn/ok"), huge], CancellationToken.None));

        Assert.Contains("at most 49152", error.Message);
        var articlesQueue = queues.GetQueueClient(StorageNames.ArticlesQueue);
        Assert.False(await articlesQueue.ExistsAsync() && (await articlesQueue.PeekMessagesAsync(1)).Value.Length > 0); // nothing half-sent
    }

    private async Task<List<ArticleEvent>> DrainEventsAsync()
    {
        var events = new List<ArticleEvent>();
        await _events.CreateIfNotExistsAsync();
        while (true)
        {
            var batch = (await _events.ReceiveMessagesAsync(32)).Value;
            if (batch.Length == 0) return events;
            foreach (var m in batch)
            {
                events.Add(JsonSerializer.Deserialize<ArticleEvent>(m.Body, ContractJson.Options)!);
                await _events.DeleteMessageAsync(m.MessageId, m.PopReceipt);
            }
        }
    }

    [Fact]
    public async Task FirstSaveWritesTextJsonRowAndOneCreatedEventUnderThePublishDateInVietnamTime()
    {
        // 2024-11-21 19:41 +07:00 is 12:41 UTC: same day; the path must use the Vietnam date.
        var result = await _repository.SaveAsync(Document("Đoạn một.\nĐoạn hai.", publishedAt: "2024-11-22T06:30:00+07:00"), new StoreContext("raw/x", "\"e1\"", null, "run1"), default);

        Assert.Equal(SaveChange.Created, result.Change);
        Assert.Equal("hbt/2024/11/22/0123456789abcdef.json", result.JsonBlob);
        var text = (await _articles.GetBlobClient("hbt/2024/11/22/0123456789abcdef.txt").DownloadContentAsync()).Value;
        Assert.Equal("Đoạn một.\nĐoạn hai.", text.Content.ToString());
        Assert.Equal("1.0.0", text.Details.Metadata["extractorVersion"]);
        var json = (await _articles.GetBlobClient("hbt/2024/11/22/0123456789abcdef.json").DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("\"publishedAt\": \"2024-11-22T06:30:00+07:00\"", json); // readable: no \u002B, no \u00EA
        Assert.Contains("\"title\": \"Tiêu đề\"", json);
        var row = await _repository.GetRowAsync("hbt", "0123456789abcdef", default);
        Assert.Equal(1, row!.Version);
        Assert.Equal("\"e1\"", row.HttpETag);
        var e = Assert.Single(await DrainEventsAsync());
        Assert.Equal((ArticleChange.Created, 1, "hbt/2024/11/22/0123456789abcdef.json"), (e.Change, e.Version, e.Blob));
    }

    [Fact]
    public async Task SavingTheSameTextAgainWritesNothingAndSendsNoEvent()
    {
        await _repository.SaveAsync(Document("Nội dung."), new StoreContext(null, null, null, "run1"), default);
        await DrainEventsAsync();
        var before = _articles.GetBlobs().ToDictionary(b => b.Name, b => b.Properties.ETag);
        var rowBefore = await _repository.GetRowAsync("hbt", "0123456789abcdef", default);

        var result = await _repository.SaveAsync(Document("Nội dung."), new StoreContext(null, null, null, "run2"), default);

        Assert.Equal(SaveChange.Unchanged, result.Change);
        Assert.Equal(before, _articles.GetBlobs().ToDictionary(b => b.Name, b => b.Properties.ETag));
        Assert.Equal(rowBefore!.ETag, (await _repository.GetRowAsync("hbt", "0123456789abcdef", default))!.ETag);
        Assert.Empty(await DrainEventsAsync());
    }

    [Fact]
    public async Task ChangedTextKeepsThePreviousVersionAndSendsOneUpdatedEvent()
    {
        await _repository.SaveAsync(Document("Bản cũ."), new StoreContext(null, null, null, "run1"), default);
        await DrainEventsAsync();

        var result = await _repository.SaveAsync(Document("Bản mới."), new StoreContext(null, null, null, "run2"), default);

        Assert.Equal(SaveChange.Updated, result.Change);
        Assert.Equal(2, result.Version);
        Assert.Equal("Bản cũ.", (await _articles.GetBlobClient("versions/hbt/0123456789abcdef/v1.txt").DownloadContentAsync()).Value.Content.ToString());
        Assert.Equal("Bản mới.", (await _articles.GetBlobClient("hbt/2024/11/21/0123456789abcdef.txt").DownloadContentAsync()).Value.Content.ToString());
        var e = Assert.Single(await DrainEventsAsync());
        Assert.Equal((ArticleChange.Updated, 2), (e.Change, e.Version));
    }

    [Fact]
    public async Task ANewerExtractorWithTheSameTextRecordsItsVersionWithoutAnEvent()
    {
        await _repository.SaveAsync(Document("Giữ nguyên."), new StoreContext(null, null, null, "run1"), default);
        await DrainEventsAsync();

        var result = await _repository.SaveAsync(Document("Giữ nguyên.", extractor: "2.0.0"), new StoreContext(null, null, null, "job", IsReprocess: true), default);

        Assert.Equal(SaveChange.Unchanged, result.Change);
        Assert.Equal("2.0.0", (await _repository.GetRowAsync("hbt", "0123456789abcdef", default))!.ExtractorVersion);
        Assert.Equal("2.0.0", (await _articles.GetBlobClient("hbt/2024/11/21/0123456789abcdef.json").GetPropertiesAsync()).Value.Metadata["extractorVersion"]);
        Assert.Empty(await DrainEventsAsync());
    }

    [Fact]
    public async Task TheSameTextUnderAnotherUrlIsRecordedAsADuplicateWithoutBlobs()
    {
        await _repository.SaveAsync(Document("Trùng lặp."), new StoreContext(null, null, null, "run1"), default);

        var result = await _repository.SaveAsync(Document("Trùng lặp.", articleId: "fedcba9876543210"), new StoreContext(null, null, null, "run1"), default);

        Assert.Equal(SaveChange.Duplicate, result.Change);
        Assert.Equal("0123456789abcdef", result.DuplicateOf);
        Assert.DoesNotContain(_articles.GetBlobs(), b => b.Name.Contains("fedcba9876543210"));
        Assert.Equal(ArticleStatus.Duplicate, (await _repository.GetRowAsync("hbt", "fedcba9876543210", default))!.Status);
    }

    [Fact]
    public async Task ConcurrentDeliveriesOfOneArticleStoreOneVersionAndOneEvent()
    {
        var saves = Enumerable.Range(0, 6).Select(_ => _repository.SaveAsync(Document("Song song."), new StoreContext(null, null, null, "run1"), default));

        var results = await Task.WhenAll(saves);

        Assert.Single(results, r => r.Change == SaveChange.Created);
        Assert.Equal(1, (await _repository.GetRowAsync("hbt", "0123456789abcdef", default))!.Version);
        Assert.Single(await DrainEventsAsync());
    }

    [Fact]
    public async Task AFailureIsRecordedOnTheArticleRowWithItsReason()
    {
        await _repository.RecordFailureAsync("hbt", "1111111111111111", "https://example.gov.vn/x", "HTTP 503 after 4 attempts", "run1", default);

        var row = await _repository.GetRowAsync("hbt", "1111111111111111", default);

        Assert.Equal((ArticleStatus.Failed, "HTTP 503 after 4 attempts"), (row!.Status, row.Error));
    }

    private async Task<List<ArticleDayEntity>> DayRowsAsync() =>
        await new TableServiceClient(_azurite.ConnectionString).GetTableClient(StorageNames.ArticleIndexTable)
            .QueryAsync<ArticleDayEntity>("PartitionKey ge 'day|' and PartitionKey lt 'day}'").ToListAsync();

    [Fact]
    public async Task ArticlesStoredBeforeTheIndexAreIndexedInBoundedStepsAndThenCostOneRead()
    {
        // What a version without the index left: stored rows (one without a publish date) and a failed one, no index rows.
        var articles = new TableServiceClient(_azurite.ConnectionString).GetTableClient(StorageNames.ArticlesTable);
        await articles.CreateIfNotExistsAsync();
        var published = new DateTimeOffset(2024, 11, 21, 2, 0, 0, TimeSpan.Zero);
        var legacy = Enumerable.Range(0, 250).Select(i => new ArticleEntity
        {
            PartitionKey = "hbt", RowKey = $"{i:x16}", Url = $"https://example.gov.vn/tin-tuc/{i}.html", Title = $"Bài {i}",
            PublishedAtUtc = i == 7 ? null : published.AddHours(i), FetchedAt = published.AddDays(30), Status = ArticleStatus.Stored,
        }).Append(new ArticleEntity { PartitionKey = "hbt", RowKey = "ffffffffffffffff", Url = "https://example.gov.vn/x", Status = ArticleStatus.Failed }).ToList();
        foreach (var chunk in legacy.Chunk(100))
            await articles.SubmitTransactionAsync(chunk.Select(row => new TableTransactionAction(TableTransactionActionType.Add, row)));
        var tables = new TableServiceClient(_azurite.ConnectionString);
        var index = new ArticleIndex(tables, new StorageInitializer(new BlobServiceClient(_azurite.ConnectionString), tables, new QueueServiceClient(_azurite.ConnectionString)));

        Assert.Equal(120, await _repository.IndexArticlesStoredBeforeTheIndexAsync("hbt", budget: 120, default));
        Assert.Equal(["hbt"], await index.SourcesOfAsync($"{119:x16}", default));
        Assert.Empty(await index.SourcesOfAsync($"{120:x16}", default)); // left for the next run
        Assert.Equal((false, $"{119:x16}"), await index.GetBackfillAsync("hbt", default));
        Assert.Equal(120, await _repository.IndexArticlesStoredBeforeTheIndexAsync("hbt", budget: 120, default));
        Assert.Equal(10, await _repository.IndexArticlesStoredBeforeTheIndexAsync("hbt", budget: 120, default));

        Assert.True((await index.GetBackfillAsync("hbt", default)).Complete);
        Assert.All(Enumerable.Range(0, 250), i => Assert.Equal(["hbt"], index.SourcesOfAsync($"{i:x16}", default).GetAwaiter().GetResult()));
        Assert.Empty(await index.SourcesOfAsync("ffffffffffffffff", default)); // only stored articles are indexed
        var days = await DayRowsAsync();
        Assert.Equal(249, days.Count);
        var day = days.Single(d => d.ArticleId == $"{30:x16}");
        Assert.Equal((ArticleIndex.DayKey(new DateOnly(2024, 11, 22)), "https://example.gov.vn/tin-tuc/30.html", published.AddDays(30)), (day.PartitionKey, day.Url, day.CheckedAt));

        // Done: a later run reads the progress row and nothing else.
        var counter = new StorageRequestCounter();
        var options = new TableClientOptions();
        options.AddPolicy(counter.PolicyFor("table"), Azure.Core.HttpPipelinePosition.PerRetry);
        var counted = new TableServiceClient(_azurite.ConnectionString, options);
        var queues = new QueueServiceClient(_azurite.ConnectionString);
        var blobs = new BlobServiceClient(_azurite.ConnectionString);
        var storage = new StorageInitializer(blobs, counted, queues);
        await storage.EnsureTablesAsync(default);
        var rows = new ArticleRows(counted, storage);
        var repository = new ArticleRepository(rows, new ArticleBlobStore(blobs, storage), new ContentIndex(counted, rows, storage), new ArticleIndex(counted, storage),
            new ArticleEventOutbox(counted, rows, new ArticleEventPublisher(queues, storage)), storage);
        var before = counter.Snapshot().Values.Sum(v => v.Requests);
        Assert.Equal(0, await repository.IndexArticlesStoredBeforeTheIndexAsync("hbt", budget: 120, default));
        Assert.Equal(1, counter.Snapshot().Values.Sum(v => v.Requests) - before);
    }

    [Fact]
    public async Task AnArticleStoredAfterItsUrlFailedIsIndexedByIdAndDay()
    {
        await _repository.RecordFailureAsync("hbt", "0123456789abcdef", "https://example.gov.vn/tin-tuc/a.html", "HTTP 503 after 4 attempts", "run1", default);

        var result = await _repository.SaveAsync(Document("Lần sau thì được."), new StoreContext(null, null, null, "run2"), default);

        Assert.Equal(SaveChange.Created, result.Change);
        var index = new ArticleIndex(new TableServiceClient(_azurite.ConnectionString), new StorageInitializer(new BlobServiceClient(_azurite.ConnectionString),
            new TableServiceClient(_azurite.ConnectionString), new QueueServiceClient(_azurite.ConnectionString)));
        Assert.Equal(["hbt"], await index.SourcesOfAsync("0123456789abcdef", default));
        var day = Assert.Single(await DayRowsAsync());
        Assert.Equal((ArticleIndex.DayKey(new DateOnly(2024, 11, 21)), "https://example.gov.vn/tin-tuc/a.html", DateTimeOffset.Parse("2024-11-22T01:00:00+00:00")),
            (day.PartitionKey, day.Url, day.CheckedAt));
    }

    [Fact]
    public async Task ANewFetchMovesTheDayRowWithThePublishDayAndSetsItsCheck()
    {
        await _repository.SaveAsync(Document("Bản đầu."), new StoreContext(null, null, null, "run1"), default);

        // Fetched again a day later: new text, published on another day.
        await _repository.SaveAsync(Document("Bản sửa ngày.", publishedAt: "2024-11-25T08:00:00+07:00") with { FetchedAt = "2024-11-26T01:00:00+00:00" },
            new StoreContext(null, null, null, "run2"), default);
        var moved = Assert.Single(await DayRowsAsync());
        Assert.Equal((ArticleIndex.DayKey(new DateOnly(2024, 11, 25)), DateTimeOffset.Parse("2024-11-26T01:00:00+00:00")), (moved.PartitionKey, moved.CheckedAt));

        // Fetched again, new text, same day: the day row stays and takes the new fetch as its check.
        await _repository.SaveAsync(Document("Bản sửa lần nữa.", publishedAt: "2024-11-25T08:00:00+07:00") with { FetchedAt = "2024-11-27T01:00:00+00:00" },
            new StoreContext(null, null, null, "run3"), default);
        Assert.Equal(DateTimeOffset.Parse("2024-11-27T01:00:00+00:00"), Assert.Single(await DayRowsAsync()).CheckedAt);

        // A re-check that found it unchanged (a 304, or the same text).
        await _repository.MarkCheckedAsync("hbt", "0123456789abcdef", DateTimeOffset.Parse("2024-11-25T01:00:00Z"), DateTimeOffset.Parse("2024-11-28T01:00:00Z"), default);
        Assert.Equal(DateTimeOffset.Parse("2024-11-28T01:00:00+00:00"), Assert.Single(await DayRowsAsync()).CheckedAt);
        Assert.Equal(DateTimeOffset.Parse("2024-11-28T01:00:00+00:00"), (await _repository.GetRowAsync("hbt", "0123456789abcdef", default))!.LastCheckedAt);
    }

    [Fact]
    public async Task AStoredArticleWhoseTextBecomesAnothersIsADuplicateOnItsDayRowToo()
    {
        await _repository.SaveAsync(Document("Bài gốc."), new StoreContext(null, null, null, "run1"), default);
        await _repository.SaveAsync(Document("Bài khác.", articleId: "fedcba9876543210"), new StoreContext(null, null, null, "run1"), default);

        var result = await _repository.SaveAsync(Document("Bài gốc.", articleId: "fedcba9876543210") with { FetchedAt = "2024-11-23T01:00:00+00:00" },
            new StoreContext(null, null, null, "run2"), default);

        Assert.Equal(SaveChange.Duplicate, result.Change);
        var days = (await DayRowsAsync()).ToDictionary(d => d.ArticleId);
        Assert.Equal((ArticleStatus.Stored, ArticleStatus.Duplicate), (days["0123456789abcdef"].Status, days["fedcba9876543210"].Status));
    }
}
