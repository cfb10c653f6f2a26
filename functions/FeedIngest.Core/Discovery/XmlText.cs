using FeedIngest.Core.Common;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using FeedIngest.Core.Fetching;

namespace FeedIngest.Core.Discovery;

/// <summary>
/// Turns fetched feed/sitemap bytes into text an XmlReader accepts: inflates gzip, honours the XML declaration's
/// encoding when the HTTP header named none, and repairs what real feeds get wrong (HTML entities such as
/// &amp;nbsp; that XML does not define, bare '&amp;', control characters).
/// </summary>
internal static partial class XmlText
{
    static XmlText() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    [GeneratedRegex(@"^\s*<\?xml[^>]*encoding\s*=\s*[""']([A-Za-z0-9._-]+)[""']")]
    private static partial Regex DeclaredEncoding();

    [GeneratedRegex(@"&(?!(?:amp|lt|gt|quot|apos);|#\d+;|#x[0-9A-Fa-f]+;)([A-Za-z][A-Za-z0-9]{1,31};)?")]
    private static partial Regex NonXmlEntity();

    [GeneratedRegex(@"[\x00-\x08\x0B\x0C\x0E-\x1F]")]
    private static partial Regex ControlChars();

    public static string Decode(FetchResult result, long maxBytes)
    {
        var bytes = result.Body;
        var inflated = false;
        if (bytes.Length > 2 && bytes[0] == 0x1F && bytes[1] == 0x8B)
        {
            bytes = Gunzip(bytes, maxBytes);
            inflated = true;
        }
        var headerCharset = CharsetFromContentType(result.ContentType);
        if (!inflated && headerCharset is not null && result.Text is not null) return Repair(result.Text);

        // Read the declaration from the first bytes (ASCII-compatible in every encoding feeds use).
        var head = Encoding.ASCII.GetString(bytes, 0, Math.Min(bytes.Length, 200));
        if (headerCharset is null && DeclaredEncoding().Match(head) is { Success: true } m && !HasBom(bytes))
        {
            try
            {
                return Repair(Encoding.GetEncoding(m.Groups[1].Value).GetString(bytes).Normalize(NormalizationForm.FormC));
            }
            catch (ArgumentException) { /* unknown name: fall through to the shared decoder */ }
        }
        var text = inflated || result.Text is null ? CharsetDecoder.Decode(bytes, result.ContentType).Text : result.Text;
        return Repair(text);
    }

    public static string Repair(string xml)
    {
        xml = xml.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        xml = ControlChars().Replace(xml, "");
        return NonXmlEntity().Replace(xml, m =>
        {
            if (!m.Groups[1].Success) return "&amp;"; // a bare '&'
            var decoded = WebUtility.HtmlDecode("&" + m.Groups[1].Value);
            // Unknown names stay visible as text instead of breaking the whole feed.
            return decoded.StartsWith('&') ? "&amp;" + m.Groups[1].Value : string.Concat(decoded.Select(c => $"&#{(int)c};"));
        });
    }

    private static bool HasBom(byte[] b) =>
        (b.Length >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) || (b.Length >= 2 && (b[0] == 0xFE && b[1] == 0xFF || b[0] == 0xFF && b[1] == 0xFE));

    private static string? CharsetFromContentType(string? contentType)
    {
        if (contentType is null) return null;
        var i = contentType.IndexOf("charset=", StringComparison.OrdinalIgnoreCase);
        return i < 0 ? null : contentType[(i + 8)..].Trim().Trim('"', '\'');
    }

    // The same cap as the wire: a small gzip must not inflate into gigabytes.
    private static byte[] Gunzip(byte[] bytes, long maxBytes) => Gzip.Decompress(bytes, maxBytes);
}
