using System.IO.Compression;

namespace FeedIngest.Core.Common;

/// <summary>The one place bytes are gzip'd and un-gzip'd (raw archive, boilerplate memory, sitemaps, fixtures).</summary>
public static class Gzip
{
    public static byte[] Compress(ReadOnlySpan<byte> bytes, CompressionLevel level = CompressionLevel.Optimal)
    {
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, level, leaveOpen: true))
            zip.Write(bytes);
        return buffer.ToArray();
    }

    public static byte[] Decompress(ReadOnlySpan<byte> bytes)
    {
        using var input = new MemoryStream(bytes.ToArray());
        return Decompress(input);
    }

    public static byte[] Decompress(Stream compressed)
    {
        using var zip = new GZipStream(compressed, CompressionMode.Decompress);
        using var output = new MemoryStream();
        zip.CopyTo(output);
        return output.ToArray();
    }

    public static async Task<byte[]> DecompressAsync(Stream compressed, CancellationToken cancellationToken)
    {
        await using var zip = new GZipStream(compressed, CompressionMode.Decompress);
        using var output = new MemoryStream();
        await zip.CopyToAsync(output, cancellationToken);
        return output.ToArray();
    }
}
