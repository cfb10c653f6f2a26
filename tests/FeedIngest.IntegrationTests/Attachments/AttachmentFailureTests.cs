using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using FeedIngest.Cli;
using FeedIngest.Core.Attachments;
using FeedIngest.Core.Discovery;
using FeedIngest.Core.Pipeline;
using FeedIngest.Core.Sources;
using FeedIngest.Core.Storage;
using FeedIngest.Core.Tests.Attachments;
using FeedIngest.Functions.Tests.Infrastructure;
using FeedIngest.IntegrationTests.Harvest;
using FeedIngest.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.IntegrationTests.Attachments;

/// <summary>
/// Attachments that go wrong, harvested from a real HTTP portal into an Azurite account of their own through the harvest pipeline:
/// each ends as an entry with its status and reason, the article is stored all the same, and only the bytes worth
/// keeping are stored (no text blob without text, nothing for refused bytes). Bytes linked by two articles are stored
/// and read once; reprocessing reads stored bytes again from the archive, not the network.
/// </summary>
public sealed class AttachmentFailureTests : IAsyncLifetime
{
    private const long Cap = 256 * 1024;
    private AzuriteAccount _azurite = null!;
    private MiniPortal _portal = null!;
    private static readonly string[] Paragraphs =
    [
        "Ủy ban nhân dân phường ban hành quyết định về việc tổ chức lấy ý kiến nhân dân đối với dự thảo quy hoạch chi tiết khu dân cư.",
        "Hồ sơ dự thảo được niêm yết công khai tại trụ sở phường và đăng tải kèm theo bài viết này để người dân tiện theo dõi, góp ý.",
    ];

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteAccount.LeaseAsync();
        _portal = await MiniPortal.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _portal.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    private static readonly string[] OtherParagraphs =
    [
        "Theo đề nghị của nhiều hộ dân, thời hạn góp ý dự thảo quy hoạch chi tiết khu dân cư số 2 được kéo dài thêm mười lăm ngày.",
        "Ý kiến góp ý gửi trực tiếp tại bộ phận một cửa hoặc qua hộp thư điện tử của phường trước ngày 30 tháng 12.",
    ];

    private static string Page(string title, params (string Href, string Text)[] links) => Page(title, Paragraphs, links);

    private static string Page(string title, string[] paragraphs, params (string Href, string Text)[] links) => $"""
        <!doctype html><html lang="vi"><head><title>{title}</title></head><body>
        <nav><a href="/">Trang chủ</a> <a href="/tin-tuc">Tin tức</a></nav>
        <div class="chitiet"><h1>{title}</h1><div class="date">Ngày đăng 21/11/2024 10:30</div>
        <div class="noi-dung">{string.Concat(paragraphs.Select(p => $"<p>{p}</p>"))}</div>
        <div class="file-dinh-kem"><strong>File đính kèm:</strong><ul>
        {string.Concat(links.Select(l => $"<li><a href=\"{l.Href}\">{l.Text}</a></li>"))}
        </ul></div></div>
        <footer>Cổng thông tin điện tử phường</footer></body></html>
        """;

    private static readonly byte[] GoodDocx = TestDocuments.Docx(["Quyết định số 12/QĐ-UBND về lấy ý kiến nhân dân", "Điều 1. Tổ chức lấy ý kiến."]);
    private static readonly byte[] Scan = TestDocuments.ScannedPdf();

    private void ServeTheDocuments()
    {
        var huge = new byte[Cap + 50_000];
        new Random(7).NextBytes(huge);
        "%PDF-1.4\n"u8.CopyTo(huge);
        _portal.File("/files/du-thao.docx", GoodDocx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        _portal.File("/files/ho-so-lon.pdf", huge, "application/pdf");
        _portal.File("/files/loi.pdf", "<!doctype html><html><body>Lỗi hệ thống</body></html>"u8.ToArray(), "application/pdf");
        _portal.Page("/files/trang.docx", "<!doctype html><html><body>Không tìm thấy tệp</body></html>");
        _portal.File("/files/ban-scan.pdf", Scan, "application/pdf");
        _portal.File("/files/hong.pdf", "%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer garbage"u8.ToArray(), "application/pdf");
        _portal.File("/files/mat-khau.pdf", File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "attachments", "password-protected.pdf")), "application/pdf");
        _portal.File("/files/bom.docx", TestDocuments.DocxWithBomb(16L << 20), "application/octet-stream");
        _portal.Page("/tin-tuc/lay-y-kien-du-thao-101.html", Page("Lấy ý kiến dự thảo quy hoạch",
            ("/files/du-thao.docx", "Dự thảo quyết định"), ("/files/ho-so-lon.pdf", "Hồ sơ quy hoạch"), ("/files/loi.pdf", "Tờ trình"),
            ("/files/trang.docx", "Phụ lục 1"), ("/files/ban-scan.pdf", "Bản scan"), ("/files/hong.pdf", "Báo cáo"),
            ("/files/mat-khau.pdf", "Bản đồ"), ("/files/bom.docx", "Phụ lục 2"), ("/files/mat-tich.pdf", "Biên bản")));
        // A second article links the same draft and scan: their bytes are stored once, under the first article.
        _portal.Page("/tin-tuc/gia-han-lay-y-kien-102.html", Page("Gia hạn lấy ý kiến dự thảo quy hoạch chi tiết khu dân cư số 2", OtherParagraphs,
            ("/files/du-thao.docx", "Dự thảo quyết định (bản cũ)"), ("/files/ban-scan.pdf", "Bản scan")));
        _portal.Feed("/rss.xml", "/tin-tuc/lay-y-kien-du-thao-101.html", "/tin-tuc/gia-han-lay-y-kien-102.html");
    }

    private SourceDefinition Source() => _portal.Source("phuong", "/rss.xml");

    private Dictionary<string, string?> Settings() => new() { ["FeedIngest:Attachments:MaxBytes"] = Cap.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private static string IdOf(MiniPortal portal, string path) => UrlCanonicalizer.ArticleId(UrlCanonicalizer.Canonicalize(portal.Url(path)));

    private async Task<JsonElement> DocumentAsync(string articleId)
    {
        var row = (await new TableServiceClient(_azurite.ConnectionString).GetTableClient(StorageNames.ArticlesTable).GetEntityAsync<ArticleEntity>("phuong", articleId)).Value;
        Assert.Equal(ArticleStatus.Stored, row.Status);
        var json = (await Blobs(StorageNames.ArticlesContainer).GetBlobClient(row.JsonBlob).DownloadContentAsync()).Value.Content.ToString();
        Assert.Empty(ContractSchemas.Article.Violations(json));
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    private BlobContainerClient Blobs(string name) => new BlobServiceClient(_azurite.ConnectionString).GetBlobContainerClient(name);

    private async Task<List<string>> AttachmentBlobsAsync()
    {
        var names = new List<string>();
        await foreach (var blob in Blobs(StorageNames.AttachmentsContainer).GetBlobsAsync()) names.Add(blob.Name);
        return names.Order(StringComparer.Ordinal).ToList();
    }

    private sealed class SyncProgress(Action<ArticleOutcome> report) : IProgress<ArticleOutcome>
    {
        public void Report(ArticleOutcome value) => report(value);
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Fact]
    public async Task EveryFailingAttachmentIsRecordedWithItsReasonAndNothingIsStoredHalf()
    {
        ServeTheDocuments();

        var summary = await MiniPortal.HarvestAsync(_azurite.ConnectionString, Source(), Settings());

        Assert.Equal(2, summary.Counts.Stored);
        Assert.Equal(0, summary.Counts.Failed);
        var first = IdOf(_portal, "/tin-tuc/lay-y-kien-du-thao-101.html");
        var entries = (await DocumentAsync(first)).GetProperty("attachments").EnumerateArray().ToList();
        var byName = entries.ToDictionary(e => e.GetProperty("name").GetString()!, e => e);
        (string Name, string Status, string Reason)[] expected =
        [
            ("Dự thảo quyết định", AttachmentTextStatus.Extracted, ""),
            ("Hồ sơ quy hoạch", AttachmentTextStatus.TooLarge, $"larger than {Cap} bytes"),
            ("Tờ trình", AttachmentTextStatus.WrongType, "an HTML page (declared application/pdf)"),
            ("Phụ lục 1", AttachmentTextStatus.WrongType, "content-type text/html is not a document"),
            ("Bản scan", AttachmentTextStatus.Scanned, "no text layer"),
            ("Báo cáo", AttachmentTextStatus.Broken, "unreadable PDF"),
            ("Bản đồ", AttachmentTextStatus.Encrypted, "password-protected PDF"),
            ("Phụ lục 2", AttachmentTextStatus.TooLarge, "zip bomb guard"),
            ("Biên bản", AttachmentTextStatus.FetchFailed, "[http-status] HTTP 404"),
        ];
        Assert.Equal(expected.Select(e => e.Name), entries.Select(e => e.GetProperty("name").GetString()));
        foreach (var (name, status, reason) in expected)
        {
            var entry = byName[name];
            Assert.True(status == entry.GetProperty("textStatus").GetString(), $"{name}: {entry}");
            if (status == AttachmentTextStatus.Extracted) continue;
            Assert.Contains(reason, entry.GetProperty("reason").GetString());
            Assert.Equal(JsonValueKind.Null, entry.GetProperty("textBlob").ValueKind);
        }

        // Stored: the draft (bytes + text); the scan, the broken and the protected PDF (bytes only, no text blob).
        // Not stored: refused bytes (too large, wrong type, zip bomb) and what never arrived.
        var hong = "%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer garbage"u8.ToArray();
        var locked = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "attachments", "password-protected.pdf"));
        // The two articles are processed in parallel: the draft and the scan live under whichever stored them first.
        var secondId = IdOf(_portal, "/tin-tuc/gia-han-lay-y-kien-102.html");
        string OwnerOf(string name) => byName[name].GetProperty("blob").GetString()!.Split('/')[1];
        Assert.Contains(OwnerOf("Dự thảo quyết định"), new[] { first, secondId });
        Assert.Contains(OwnerOf("Bản scan"), new[] { first, secondId });
        string[] stored =
        [
            $"phuong/{OwnerOf("Dự thảo quyết định")}/{Sha(GoodDocx)}.docx", $"phuong/{OwnerOf("Dự thảo quyết định")}/{Sha(GoodDocx)}.txt",
            $"phuong/{OwnerOf("Bản scan")}/{Sha(Scan)}.pdf", $"phuong/{first}/{Sha(hong)}.pdf", $"phuong/{first}/{Sha(locked)}.pdf",
        ];
        Assert.Equal(stored.Order(StringComparer.Ordinal), await AttachmentBlobsAsync());
        Assert.Equal(4, new TableServiceClient(_azurite.ConnectionString).GetTableClient(StorageNames.AttachmentsTable).Query<TableEntity>().Count());
        var text = (await Blobs(StorageNames.AttachmentsContainer).GetBlobClient(stored[1]).DownloadContentAsync()).Value.Content.ToString();
        Assert.Equal("Quyết định số 12/QĐ-UBND về lấy ý kiến nhân dân\nĐiều 1. Tổ chức lấy ý kiến.", text);

        // Both articles' entries name the one stored copy: the bytes were stored once.
        var second = (await DocumentAsync(secondId)).GetProperty("attachments").EnumerateArray().ToList();
        Assert.Equal([stored[0], stored[2]], second.Select(e => e.GetProperty("blob").GetString()));
        Assert.Equal(stored[1], second[0].GetProperty("textBlob").GetString());
        Assert.Equal("Dự thảo quyết định (bản cũ)", second[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task ReprocessingReadsStoredAttachmentsAgainFromTheArchiveWithoutTheNetwork()
    {
        ServeTheDocuments();
        await MiniPortal.HarvestAsync(_azurite.ConnectionString, Source(), Settings());
        var first = IdOf(_portal, "/tin-tuc/lay-y-kien-du-thao-101.html");
        var attachments = new TableServiceClient(_azurite.ConnectionString).GetTableClient(StorageNames.AttachmentsTable);
        var draft = (await attachments.GetEntityAsync<TableEntity>(Sha(GoodDocx), "")).Value;
        var textBlob = Blobs(StorageNames.AttachmentsContainer).GetBlobClient(draft.GetString("TextBlob"));
        // As if an older reader had produced a worse text: the reprocess must read the stored bytes again.
        draft["ReaderVersion"] = "0.9.0";
        await attachments.UpdateEntityAsync(draft, Azure.ETag.All);
        await textBlob.UploadAsync(BinaryData.FromString("văn bản cũ"), overwrite: true);
        var requestsBefore = _portal.Requests.Count;

        var sources = Path.Combine(HarvestEnvironment.NewTempFolder(), "sources.json");
        File.WriteAllText(sources, JsonSerializer.Serialize(new { sources = new[] { new { id = "phuong", name = "phuong", baseUrl = _portal.BaseUrl.AbsoluteUri, discoverFeeds = false, feeds = new[] { _portal.Url("/rss.xml").AbsoluteUri } } } }));
        var settings = Settings();
        settings["FeedIngestStorage"] = _azurite.ConnectionString;
        settings["FeedIngest:SourcesPath"] = sources;
        settings["FeedIngest:Fetching:AllowedPrivateNetworks"] = HarvestEnvironment.LoopbackOnly;
        await using (var services = CliHost.Build(settings))
        {
            var outcomes = new List<ArticleOutcome>();
            var status = await services.GetRequiredService<ReprocessService>().RunInProcessAsync(
                new ReprocessRequest { ArticleIds = [first], SourceId = "phuong", Mode = ReprocessMode.Archive }, new SyncProgress(outcomes.Add), CancellationToken.None);
            Assert.True(status.Failed == 0 && outcomes.Count == 1, string.Join("; ", outcomes.Select(o => $"{o.Result} {o.Reason}")) + string.Join("; ", status.Errors));
        }

        Assert.Equal(requestsBefore, _portal.Requests.Count);
        Assert.Equal("Quyết định số 12/QĐ-UBND về lấy ý kiến nhân dân\nĐiều 1. Tổ chức lấy ý kiến.", (await textBlob.DownloadContentAsync()).Value.Content.ToString());
        Assert.Equal(AttachmentTextExtractor.Version, (await attachments.GetEntityAsync<TableEntity>(Sha(GoodDocx), "")).Value.GetString("ReaderVersion"));
        var entries = (await DocumentAsync(first)).GetProperty("attachments").EnumerateArray().ToList();
        Assert.Equal(9, entries.Count);
        Assert.Equal(AttachmentTextStatus.Extracted, entries[0].GetProperty("textStatus").GetString());
        Assert.Equal(AttachmentTextStatus.Encrypted, entries[6].GetProperty("textStatus").GetString());
        Assert.Equal(AttachmentTextStatus.FetchFailed, entries[8].GetProperty("textStatus").GetString());
    }
}
