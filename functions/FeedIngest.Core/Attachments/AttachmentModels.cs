namespace FeedIngest.Core.Attachments;

/// <summary>What became of an attachment's text; the values are the contract's <c>textStatus</c> (schema 2).</summary>
public static class AttachmentTextStatus
{
    /// <summary>Text extracted (it may still be short).</summary>
    public const string Extracted = "extracted";
    /// <summary>A PDF whose pages carry images and no text layer: a scan; OCR is not done.</summary>
    public const string Scanned = "scanned";
    /// <summary>Password-protected (PDF with a user password, or an encrypted OOXML package).</summary>
    public const string Encrypted = "encrypted";
    /// <summary>The bytes claim a format but do not parse.</summary>
    public const string Broken = "broken";
    /// <summary>Stored, but no text is produced for this format (legacy binary .doc/.xls) or the document has none.</summary>
    public const string NoText = "no-text";
    /// <summary>Larger than the size cap, or an OOXML package that would unpack beyond its bounds (zip bomb).</summary>
    public const string TooLarge = "too-large";
    /// <summary>Not a document type FeedIngest accepts (an HTML error page, an image, an executable...).</summary>
    public const string WrongType = "wrong-type";
    /// <summary>Could not be fetched (HTTP error, timeout, robots.txt, a redirect off the source); the next re-crawl or refetch tries again.</summary>
    public const string FetchFailed = "fetch-failed";
    /// <summary>Linked from a page re-read from the archive (no network) but never fetched; a refetch fetches it.</summary>
    public const string NotFetched = "not-fetched";
    /// <summary>More links than <c>FeedIngest:Attachments:MaxPerArticle</c>: listed, not fetched.</summary>
    public const string OverLimit = "over-limit";
}

/// <summary>The document kinds FeedIngest accepts, told apart by magic bytes, not by the server's word.</summary>
public enum AttachmentKind
{
    Unknown,
    Pdf,
    Docx,
    Xlsx,
    /// <summary>Legacy binary Word (OLE compound file).</summary>
    Doc,
    /// <summary>Legacy binary Excel (OLE compound file).</summary>
    Xls,
}

public static class AttachmentKinds
{
    public static string Extension(AttachmentKind kind) => kind switch
    {
        AttachmentKind.Pdf => "pdf",
        AttachmentKind.Docx => "docx",
        AttachmentKind.Xlsx => "xlsx",
        AttachmentKind.Doc => "doc",
        AttachmentKind.Xls => "xls",
        _ => "bin",
    };

    public static string ContentType(AttachmentKind kind) => kind switch
    {
        AttachmentKind.Pdf => "application/pdf",
        AttachmentKind.Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        AttachmentKind.Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        AttachmentKind.Doc => "application/msword",
        AttachmentKind.Xls => "application/vnd.ms-excel",
        _ => "application/octet-stream",
    };
}

/// <summary>A document link found on an article page: the anchor text as its name.</summary>
public sealed record AttachmentLink(string Name, Uri Url);

/// <summary>
/// One attachment as fetched and read: the fields of the planned <c>attachments[]</c> entry (docs/CONTRACT.md,
/// "planned (schema v2)") less the blob names, which the storage step adds.
/// </summary>
public sealed record AttachmentResult
{
    public required string Name { get; init; }
    public required Uri Url { get; init; }
    /// <summary>The type the bytes are (from magic bytes), not the one the server claimed.</summary>
    public required string ContentType { get; init; }
    public required AttachmentKind Kind { get; init; }
    public required long Bytes { get; init; }
    /// <summary>Lower-case hex SHA-256 of the bytes: the blob name and the cross-article dedupe key.</summary>
    public required string Sha256 { get; init; }
    public int? Pages { get; init; }
    public required string TextStatus { get; init; }
    /// <summary>Why there is no text (null when extracted).</summary>
    public string? Reason { get; init; }
    /// <summary>NFC text, one block per line; null unless <see cref="TextStatus"/> is extracted.</summary>
    public string? Text { get; init; }

    /// <summary>Whether the bytes are worth storing (an accepted type, whatever its text status).</summary>
    public bool Storable => TextStatus is not (AttachmentTextStatus.WrongType or AttachmentTextStatus.TooLarge);
}
