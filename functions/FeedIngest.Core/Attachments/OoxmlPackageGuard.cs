using System.IO.Compression;

namespace FeedIngest.Core.Attachments;

/// <summary>
/// Zip-bomb guard for DOCX/XLSX. The central directory is checked first (entry count, declared sizes, compression
/// ratio) without unpacking anything; then every entry is copied into a fresh in-memory package through a counting
/// stream, so an entry that lies about its size is stopped at the bound instead of at the end of memory. Only the
/// copy reaches the Open XML SDK.
/// </summary>
internal static class OoxmlPackageGuard
{
    /// <summary>The bounded copy, or the reason the package was refused.</summary>
    public static (MemoryStream? Package, string? Refusal) Open(byte[] bytes, AttachmentOptions options)
    {
        ZipArchive source;
        try
        {
            source = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
        }
        catch (InvalidDataException e)
        {
            return (null, "broken: not a readable zip package: " + e.Message);
        }
        using (source)
        {
            if (source.Entries.Count > options.MaxPackageEntries)
                return (null, $"too-large: {source.Entries.Count} entries in the package (at most {options.MaxPackageEntries}): a zip bomb or not a document");
            long declared = 0;
            foreach (var entry in source.Entries)
            {
                declared += entry.Length;
                if (declared > options.MaxUnpackedBytes)
                    return (null, $"too-large: the package declares more than {options.MaxUnpackedBytes} bytes unpacked (zip bomb guard)");
                if (entry.CompressedLength > 0 && entry.Length / entry.CompressedLength > options.MaxCompressionRatio)
                    return (null, $"too-large: entry {entry.FullName} is compressed {entry.Length / entry.CompressedLength}:1 (at most {options.MaxCompressionRatio}:1; zip bomb guard)");
            }

            var copy = new MemoryStream();
            try
            {
                using (var target = new ZipArchive(copy, ZipArchiveMode.Create, leaveOpen: true))
                {
                    long total = 0;
                    var buffer = new byte[81920];
                    foreach (var entry in source.Entries)
                    {
                        var outEntry = target.CreateEntry(entry.FullName, CompressionLevel.Fastest);
                        using var input = entry.Open();
                        using var output = outEntry.Open();
                        long entryBytes = 0;
                        int read;
                        while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
                        {
                            entryBytes += read;
                            total += read;
                            if (entryBytes > entry.Length || total > options.MaxUnpackedBytes)
                            {
                                copy.Dispose();
                                return (null, $"too-large: entry {entry.FullName} unpacks beyond its declared size or the {options.MaxUnpackedBytes}-byte bound (zip bomb guard)");
                            }
                            output.Write(buffer, 0, read);
                        }
                    }
                }
            }
            catch (InvalidDataException e)
            {
                copy.Dispose();
                return (null, "broken: damaged package entry: " + e.Message);
            }
            copy.Position = 0;
            return (copy, null);
        }
    }
}
