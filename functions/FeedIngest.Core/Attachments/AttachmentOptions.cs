using System.ComponentModel.DataAnnotations;

namespace FeedIngest.Core.Attachments;

/// <summary>Bounds of attachment handling (section <c>FeedIngest:Attachments</c>). Every one is enforced before the work it bounds.</summary>
public sealed class AttachmentOptions
{
    public const string Section = "FeedIngest:Attachments";

    /// <summary>Whether the harvest fetches and reads the documents articles link to (on by default).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Most attachments fetched per article (the rest are listed as over-limit).</summary>
    [Range(1, 50)]
    public int MaxPerArticle { get; set; } = 20;

    /// <summary>Largest attachment fetched and read, in bytes (default 25 MB; portals' decision PDFs are rarely above 10).</summary>
    [Range(1024, 512L * 1024 * 1024)]
    public long MaxBytes { get; set; } = 25L * 1024 * 1024;

    /// <summary>Largest total uncompressed size of a DOCX/XLSX package (zip-bomb guard), checked before anything is unpacked.</summary>
    [Range(1024, 1024L * 1024 * 1024)]
    public long MaxUnpackedBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Most entries in a DOCX/XLSX package.</summary>
    [Range(1, 100_000)]
    public int MaxPackageEntries { get; set; } = 2_000;

    /// <summary>Largest compression ratio of one package entry (real XML parts stay well below 100).</summary>
    [Range(10, 100_000)]
    public int MaxCompressionRatio { get; set; } = 200;

    /// <summary>Most PDF pages read; the rest is cut and the reason says so.</summary>
    [Range(1, 100_000)]
    public int MaxPdfPages { get; set; } = 500;

    /// <summary>Most characters of text kept per attachment.</summary>
    [Range(1000, 100_000_000)]
    public int MaxTextChars { get; set; } = 2_000_000;
}
