using System.Text;
using System.Text.RegularExpressions;

namespace FeedIngest.Core.Fetching;

public sealed record DecodedText(string Text, string Charset);

/// <summary>
/// Decodes fetched bytes once: BOM → HTTP header charset → &lt;meta charset&gt; / http-equiv → detection; result in NFC.
/// The BOM comes first, as in browsers (WHATWG "decode"): a page that starts with a UTF-8/16 BOM is in that encoding
/// whatever a misconfigured server says. Detection: strict UTF-8 when it validates, else windows-1258 (the legacy
/// Vietnamese code page). windows-1258 writes tone marks as combining characters, hence the final NFC.
/// </summary>
public static partial class CharsetDecoder
{
    static CharsetDecoder() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>How far into the document a &lt;meta charset&gt; is looked for (WHATWG prescan reads 1024 bytes; portals put it later).</summary>
    private const int MetaPrescanBytes = 4096;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [GeneratedRegex(@"charset\s*=\s*[""']?\s*(?<cs>[A-Za-z0-9_\-.:]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CharsetParameter();

    public static DecodedText Decode(ReadOnlySpan<byte> bytes, string? contentType = null)
    {
        // 1. Byte order mark.
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) return Finish(Encoding.UTF8.GetString(bytes[3..]), "utf-8");
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE])) return Finish(Encoding.Unicode.GetString(bytes[2..]), "utf-16le");
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF])) return Finish(Encoding.BigEndianUnicode.GetString(bytes[2..]), "utf-16be");

        // 2. HTTP header, 3. meta charset / http-equiv in the first bytes.
        var declared = Lookup(CharsetOf(contentType)) ?? Lookup(MetaCharset(bytes));
        if (declared is not null)
        {
            // A page declared UTF-8 that does not validate is legacy text with a wrong label: detect instead.
            if (declared.CodePage != Encoding.UTF8.CodePage || IsValidUtf8(bytes))
                return Finish(declared.GetString(bytes), declared.WebName);
        }

        // 4. Detection.
        if (IsValidUtf8(bytes)) return Finish(Encoding.UTF8.GetString(bytes), "utf-8");
        var vietnamese = Encoding.GetEncoding(1258);
        return Finish(vietnamese.GetString(bytes), "windows-1258");
    }

    private static DecodedText Finish(string text, string charset) =>
        new(text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC), charset);

    private static bool IsValidUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            StrictUtf8.GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static string? CharsetOf(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return null;
        var m = CharsetParameter().Match(contentType);
        return m.Success ? m.Groups["cs"].Value : null;
    }

    private static string? MetaCharset(ReadOnlySpan<byte> bytes)
    {
        var head = bytes[..Math.Min(bytes.Length, MetaPrescanBytes)];
        // Latin-1 maps every byte to one char: ASCII markup is found whatever the real encoding.
        var text = Encoding.Latin1.GetString(head);
        var index = 0;
        while ((index = text.IndexOf("<meta", index, StringComparison.OrdinalIgnoreCase)) >= 0)
        {
            var end = text.IndexOf('>', index);
            if (end < 0) break;
            var tag = text[index..end];
            var m = CharsetParameter().Match(tag);
            if (m.Success) return m.Groups["cs"].Value;
            index = end;
        }
        return null;
    }

    /// <summary>Encoding by label, with the WHATWG aliases that matter here (latin1 and ascii mean windows-1252).</summary>
    internal static Encoding? Lookup(string? label)
    {
        if (string.IsNullOrWhiteSpace(label)) return null;
        var name = label.Trim().Trim('"', '\'').ToLowerInvariant();
        name = name switch
        {
            "iso-8859-1" or "latin1" or "latin-1" or "us-ascii" or "ascii" or "iso8859-1" => "windows-1252",
            "utf8" => "utf-8",
            "cp1258" or "x-cp1258" => "windows-1258",
            "unicode" or "utf-16" => "utf-16le",
            _ => name,
        };
        try { return Encoding.GetEncoding(name); }
        catch (ArgumentException) { return null; }
    }
}
