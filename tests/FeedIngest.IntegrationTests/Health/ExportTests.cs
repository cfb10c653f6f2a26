using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using FeedIngest.Core.Storage;
using Parquet;

namespace FeedIngest.IntegrationTests.Health;

/// <summary>
/// <c>feedingest export</c> (real CLI process) in each format, read back in .NET: every stored article is
/// there once, with the text stored in its blob (compared by SHA-256), and nothing else.
/// </summary>
[Collection(HealthScenarioCollection.Name)]
public sealed class ExportTests(HealthScenario scenario)
{
    [Theory]
    [InlineData("jsonl")]
    [InlineData("csv")]
    [InlineData("parquet")]
    public async Task ExportRoundTripsEveryStoredArticle(string format)
    {
        var expected = await StoredTextHashesAsync(null);
        var file = Path.Combine(Infrastructure.HarvestEnvironment.NewTempFolder(), "articles." + format);

        var (exit, _, error) = await scenario.RunCliAsync("export", "--since", "2000-01-01", "--format", format, "--out", file);

        Assert.True(exit == 0, error);
        Assert.Contains($"Exported {expected.Count} article(s)", error);
        var exported = format switch
        {
            "jsonl" => ReadJsonLines(file),
            "csv" => ReadCsv(file),
            _ => await ReadParquetAsync(file),
        };
        Assert.Equal(expected.Count, exported.Count);
        Assert.Equal(expected.OrderBy(e => e.Key), exported.ToDictionary(e => e.Id, e => Hash(e.Text)).OrderBy(e => e.Key));
        Assert.False(File.Exists(file + ".part"));
    }

    [Fact]
    public async Task ExportFiltersBySourceAndDate()
    {
        var expected = await StoredTextHashesAsync(HealthScenario.Changing);
        var file = Path.Combine(Infrastructure.HarvestEnvironment.NewTempFolder(), "changing.jsonl");

        var (exit, _, error) = await scenario.RunCliAsync("export", "--since", "2000-01-01", "--source", HealthScenario.Changing, "--out", file);
        var (futureExit, _, futureError) = await scenario.RunCliAsync("export", "--since", "2999-01-01", "--out", file + ".none");

        Assert.True(exit == 0, error);
        Assert.Equal(HealthScenario.Runs * HealthScenario.ArticlesPerRun, expected.Count);
        Assert.Equal(expected.Keys.Order(), ReadJsonLines(file).Select(e => e.Id).Order());
        Assert.True(futureExit == 0, futureError);
        Assert.Empty(File.ReadAllLines(file + ".none"));
    }

    [Fact]
    public async Task ABadDateOrFormatIsRefusedWithTheReason()
    {
        var (dateExit, _, dateError) = await scenario.RunCliAsync("export", "--since", "last tuesday", "--out", "x.jsonl");
        var (formatExit, _, formatError) = await scenario.RunCliAsync("export", "--since", "2026-01-01", "--format", "xlsx", "--out", "x.xlsx");

        Assert.Equal(64, dateExit);
        Assert.Contains("'last tuesday' is not a date", dateError);
        Assert.Equal(64, formatExit);
        Assert.Contains("'xlsx' is not one of jsonl, csv, parquet", formatError);
        Assert.DoesNotContain("   at ", dateError + formatError);
    }

    private async Task<Dictionary<string, string>> StoredTextHashesAsync(string? sourceId)
    {
        var table = new TableServiceClient(scenario.Azurite.ConnectionString).GetTableClient(StorageNames.ArticlesTable);
        var container = new BlobServiceClient(scenario.Azurite.ConnectionString).GetBlobContainerClient(StorageNames.ArticlesContainer);
        var hashes = new Dictionary<string, string>();
        await foreach (var row in table.QueryAsync<ArticleEntity>(r => r.Status == ArticleStatus.Stored))
        {
            if (sourceId is not null && row.PartitionKey != sourceId) continue;
            var text = (await container.GetBlobClient(row.TextBlob).DownloadContentAsync()).Value.Content.ToString();
            hashes[row.RowKey] = Hash(text);
        }
        Assert.NotEmpty(hashes);
        return hashes;
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static List<(string Id, string Text)> ReadJsonLines(string file) =>
        File.ReadLines(file).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!)
            .Select(n => ((string)n["articleId"]!, (string)n["text"]!)).ToList();

    private static List<(string Id, string Text)> ReadCsv(string file)
    {
        var records = ParseCsv(File.ReadAllText(file, Encoding.UTF8));
        var header = records[0];
        Assert.Equal(Core.Export.ArticleExporter.Columns, header);
        int id = Array.IndexOf(header, "articleId"), text = Array.IndexOf(header, "text");
        return records.Skip(1).Select(r => (r[id], r[text])).ToList();
    }

    /// <summary>RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; records end in CRLF.</summary>
    private static List<string[]> ParseCsv(string csv)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c == '\r' && i + 1 < csv.Length && csv[i + 1] == '\n')
            {
                fields.Add(field.ToString()); field.Clear();
                records.Add(fields.ToArray()); fields.Clear();
                i++;
            }
            else field.Append(c);
        }
        Assert.Empty(fields);
        return records;
    }

    private static async Task<List<(string Id, string Text)>> ReadParquetAsync(string file)
    {
        await using var stream = File.OpenRead(file);
        await using var reader = await ParquetReader.CreateAsync(stream);
        var idField = reader.Schema.FindDataField("articleId");
        var textField = reader.Schema.FindDataField("text");
        var rows = new List<(string, string)>();
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var ids = new string?[group.RowCount];
            var texts = new string?[group.RowCount];
            await group.ReadAsync(idField, ids.AsMemory(), null);
            await group.ReadAsync(textField, texts.AsMemory(), null);
            rows.AddRange(ids.Zip(texts, (id, text) => (id!, text!)));
        }
        return rows;
    }
}
