using System.IO.Compression;
using System.Text;

namespace FeedIngest.Core.Attachments;

/// <summary>
/// Tells what an attachment is from its first bytes (and, for zip and OLE containers, their directory), so a portal's
/// HTML error page served as <c>application/pdf</c>, or a PDF served as <c>application/octet-stream</c>, is judged by
/// what it is.
/// </summary>
public static class AttachmentTypeDetector
{
    private static readonly byte[] PdfMagic = "%PDF-"u8.ToArray();
    private static readonly byte[] ZipMagic = [0x50, 0x4B, 0x03, 0x04];
    private static readonly byte[] OleMagic = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    /// <summary>The kind, or <see cref="AttachmentKind.Unknown"/> with the reason the bytes were refused.</summary>
    public static (AttachmentKind Kind, string? Reason) Detect(ReadOnlySpan<byte> bytes, string? declaredContentType, string? fileName)
    {
        if (bytes.IsEmpty) return (AttachmentKind.Unknown, "empty body");
        // PDF readers accept a header within the first 1024 bytes (some generators put junk first).
        var head = bytes[..Math.Min(bytes.Length, 1024)];
        if (bytes.StartsWith(PdfMagic) || head.IndexOf(PdfMagic) >= 0) return (AttachmentKind.Pdf, null);
        if (bytes.StartsWith(ZipMagic)) return DetectOoxml(bytes, fileName);
        if (bytes.StartsWith(OleMagic)) return DetectOle(bytes, declaredContentType, fileName);
        var what = LooksLikeHtml(head) ? "an HTML page" : "bytes of no accepted document type";
        return (AttachmentKind.Unknown, $"{what} (declared {declaredContentType ?? "no content type"}): accepted are PDF, DOCX, XLSX, DOC, XLS");
    }

    private static (AttachmentKind, string?) DetectOoxml(ReadOnlySpan<byte> bytes, string? fileName)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes.ToArray(), writable: false), ZipArchiveMode.Read);
            if (zip.GetEntry("[Content_Types].xml") is null) return (AttachmentKind.Unknown, "a zip archive without [Content_Types].xml: not an Office document");
            if (zip.Entries.Any(e => e.FullName.StartsWith("word/", StringComparison.Ordinal))) return (AttachmentKind.Docx, null);
            if (zip.Entries.Any(e => e.FullName.StartsWith("xl/", StringComparison.Ordinal))) return (AttachmentKind.Xlsx, null);
            return (AttachmentKind.Unknown, "an Office package that is neither a Word document nor a workbook (e.g. PowerPoint)");
        }
        catch (InvalidDataException e)
        {
            // A zip that does not open: if the name says DOCX/XLSX, it is a broken one of those.
            var ext = Path.GetExtension(fileName ?? "").ToLowerInvariant();
            return ext switch
            {
                ".docx" => (AttachmentKind.Docx, null),
                ".xlsx" => (AttachmentKind.Xlsx, null),
                _ => (AttachmentKind.Unknown, "a damaged zip archive: " + e.Message),
            };
        }
    }

    private static (AttachmentKind, string?) DetectOle(ReadOnlySpan<byte> bytes, string? declaredContentType, string? fileName)
    {
        // The compound file's directory names its streams in UTF-16LE; Word keeps "WordDocument", Excel "Workbook"/"Book",
        // an encrypted OOXML package "EncryptedPackage".
        if (ContainsUtf16(bytes, "EncryptedPackage"))
        {
            var ext = Path.GetExtension(fileName ?? "").ToLowerInvariant();
            return (ext == ".xlsx" || (declaredContentType?.Contains("sheet", StringComparison.OrdinalIgnoreCase) ?? false)
                ? AttachmentKind.Xlsx : AttachmentKind.Docx, null);
        }
        if (ContainsUtf16(bytes, "WordDocument")) return (AttachmentKind.Doc, null);
        if (ContainsUtf16(bytes, "Workbook") || ContainsUtf16(bytes, "Book")) return (AttachmentKind.Xls, null);
        return (AttachmentKind.Unknown, "an OLE compound file that is neither Word nor Excel");
    }

    /// <summary>Whether an OLE file is an encrypted OOXML package (what Office writes for a password-protected .docx/.xlsx).</summary>
    public static bool IsEncryptedOoxml(ReadOnlySpan<byte> bytes) => bytes.StartsWith(OleMagic) && ContainsUtf16(bytes, "EncryptedPackage");

    private static bool ContainsUtf16(ReadOnlySpan<byte> bytes, string name) => bytes.IndexOf(Encoding.Unicode.GetBytes(name)) >= 0;

    private static bool LooksLikeHtml(ReadOnlySpan<byte> head)
    {
        var text = Encoding.ASCII.GetString(head).TrimStart('\uFEFF', ' ', '\r', '\n', '\t').ToLowerInvariant();
        return text.StartsWith("<!doctype html", StringComparison.Ordinal) || text.StartsWith("<html", StringComparison.Ordinal) || text.Contains("<body", StringComparison.Ordinal);
    }
}
