using FeedIngest.Core.Common;
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

    /// <summary>Un-gzips at most <paramref name="maxBytes"/>: a small gzip must not inflate into gigabytes.</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> bytes, long maxBytes)
    {
        using var input = new GZipStream(new MemoryStream(bytes.ToArray()), CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            if (output.Length + read > maxBytes) throw new InvalidDataException($"gzip content larger than {maxBytes} bytes");
            output.Write(buffer, 0, read);
        }
        return output.ToArray();
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
