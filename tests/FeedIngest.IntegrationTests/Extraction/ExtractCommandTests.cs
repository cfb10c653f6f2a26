using System.CommandLine;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using FeedIngest.Cli.Commands;
using FeedIngest.IntegrationTests.Infrastructure;

namespace FeedIngest.IntegrationTests.Extraction;

/// <summary><c>feedingest extract --input-dir DIR --output-dir OUT</c>, as the quality gate and other programs call it.</summary>
public sealed class ExtractCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("feedingest-extract-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<int> RunAsync(params string[] args) =>
        new RootCommand { ExtractCommand.Create() }.Parse(args).InvokeAsync();

    [Fact]
    public async Task DirectoryModeWritesTextAndJsonPerPageAndSkipsABadFile()
    {
        var input = Directory.CreateDirectory(Path.Combine(_dir, "in")).FullName;
        var output = Path.Combine(_dir, "out");
        var fixtures = Path.Combine(RepoPaths.Root, "tests", "fixtures", "vn-portal");
        File.Copy(Path.Combine(fixtures, "pages", "gov-004.html"), Path.Combine(input, "gov-004.html"));
        await using (var gz = new GZipStream(File.Create(Path.Combine(input, "news-001.html.gz")), CompressionLevel.Fastest))
            await gz.WriteAsync(await File.ReadAllBytesAsync(Path.Combine(fixtures, "pages", "news-001.html")));
        await File.WriteAllBytesAsync(Path.Combine(input, "broken.html"), [0x00, 0x01, 0x02, 0xFF, 0xFE, 0x00, 0x03, 0x04]);

        var exit = await RunAsync("extract", "--input-dir", input, "--output-dir", output, "--format", "both");

        Assert.NotEqual(0, exit);
        Assert.False(File.Exists(Path.Combine(output, "broken.txt")));
        var gold = await File.ReadAllTextAsync(Path.Combine(fixtures, "gold", "news-001.txt"));
        var text = await File.ReadAllTextAsync(Path.Combine(output, "news-001.txt"), Encoding.UTF8);
        Assert.Equal(gold.Trim(), text.Trim());
        var json = await File.ReadAllTextAsync(Path.Combine(output, "gov-004.json"), Encoding.UTF8);
        Assert.Contains("\"title\": \"PHÁT HUY CHẶNG ĐƯỜNG VẺ VANG 61 NĂM XÂY DỰNG VÀ PHÁT TRIỂN\"", json, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("2022-06-01T09:04:00+07:00", root.GetProperty("publishedAt").GetString());
        Assert.Equal("Báo Nhịp sống Hà Nội", root.GetProperty("sourceAttribution").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("author").ValueKind);
        foreach (var key in new[] { "lead", "category", "canonicalUrl", "images", "text" })
            Assert.True(root.TryGetProperty(key, out _), key);
        Assert.Equal(1, root.GetProperty("images").GetArrayLength());
    }

    [Fact]
    public async Task DirectoryModeExitsZeroWhenEveryPageExtracts()
    {
        var input = Directory.CreateDirectory(Path.Combine(_dir, "in")).FullName;
        File.Copy(Path.Combine(RepoPaths.Root, "tests", "fixtures", "vn-portal", "pages", "gov-000.html"), Path.Combine(input, "gov-000.html"));

        var exit = await RunAsync("extract", "--input-dir", input, "--output-dir", Path.Combine(_dir, "out"), "--format", "text");

        Assert.Equal(0, exit);
        Assert.True(File.Exists(Path.Combine(_dir, "out", "gov-000.txt")));
        Assert.False(File.Exists(Path.Combine(_dir, "out", "gov-000.json")));
    }
}
