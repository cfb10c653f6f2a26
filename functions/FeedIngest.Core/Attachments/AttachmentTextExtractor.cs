using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Attachments;

/// <summary>
/// Reads one fetched attachment: checks size and type by magic bytes, guards OOXML against zip bombs, extracts NFC text
/// (PdfPig for PDF, the Open XML SDK for DOCX/XLSX) and records why when there is none. Never throws for bad input:
/// every failure is a <see cref="AttachmentResult.TextStatus"/> with a <see cref="AttachmentResult.Reason"/>.
/// </summary>
public sealed class AttachmentTextExtractor(IOptions<AttachmentOptions> options)
{
    /// <summary>Version of the readers; a stored attachment read by an older one is read again when its article is reprocessed.</summary>
    public const string Version = "1.0.0";

    private readonly AttachmentOptions _options = options.Value;

    public AttachmentResult Extract(AttachmentLink link, string? declaredContentType, byte[] bytes)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        AttachmentResult Result(AttachmentKind kind, string status, string? reason, string? text = null, int? pages = null) => new()
        {
            Name = link.Name, Url = link.Url, Kind = kind, ContentType = kind == AttachmentKind.Unknown ? (declaredContentType ?? "application/octet-stream") : AttachmentKinds.ContentType(kind),
            Bytes = bytes.LongLength, Sha256 = sha, TextStatus = status, Reason = reason, Text = text, Pages = pages,
        };

        if (bytes.LongLength > _options.MaxBytes)
            return Result(AttachmentKind.Unknown, AttachmentTextStatus.TooLarge, $"{bytes.LongLength} bytes, more than the {_options.MaxBytes}-byte cap (FeedIngest:Attachments:MaxBytes)");

        var (kind, refusal) = AttachmentTypeDetector.Detect(bytes, declaredContentType, link.Url.AbsolutePath);
        if (kind == AttachmentKind.Unknown) return Result(kind, AttachmentTextStatus.WrongType, refusal);

        switch (kind)
        {
            case AttachmentKind.Pdf:
            {
                var pdf = PdfTextReader.Read(bytes, _options);
                return Result(kind, pdf.Status, pdf.Reason, pdf.Text, pdf.Pages);
            }
            case AttachmentKind.Doc or AttachmentKind.Xls:
                return Result(kind, AttachmentTextStatus.NoText,
                    "legacy binary Office format: stored without text (no maintained .NET library reads its Vietnamese text reliably)");
            default:
            {
                if (AttachmentTypeDetector.IsEncryptedOoxml(bytes))
                    return Result(kind, AttachmentTextStatus.Encrypted, "password-protected Office document (encrypted package)");
                var (package, guardRefusal) = OoxmlPackageGuard.Open(bytes, _options);
                if (package is null)
                {
                    var status = guardRefusal!.StartsWith("too-large", StringComparison.Ordinal) ? AttachmentTextStatus.TooLarge : AttachmentTextStatus.Broken;
                    return Result(kind, status, guardRefusal[(guardRefusal.IndexOf(':', StringComparison.Ordinal) + 2)..]);
                }
                using (package)
                {
                    try
                    {
                        var text = kind == AttachmentKind.Docx ? OfficeTextReader.Docx(package, _options.MaxTextChars) : OfficeTextReader.Xlsx(package, _options.MaxTextChars);
                        return text.Length == 0
                            ? Result(kind, AttachmentTextStatus.NoText, "the document has no text")
                            : Result(kind, AttachmentTextStatus.Extracted, null, text);
                    }
                    catch (Exception e) when (OfficeTextReader.IsBroken(e))
                    {
                        return Result(kind, AttachmentTextStatus.Broken, $"unreadable {AttachmentKinds.Extension(kind).ToUpperInvariant()}: {e.Message.Split('\n')[0]}");
                    }
                }
            }
        }
    }
}
