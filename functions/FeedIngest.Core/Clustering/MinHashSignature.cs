using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace FeedIngest.Core.Clustering;

/// <summary>
/// MinHash of an article body's word shingles: <see cref="Size"/> minimum hashes, one per seeded hash function. The
/// share of equal positions between two signatures estimates the Jaccard similarity of their shingle sets.
/// Shingles are <see cref="ShingleWords"/> consecutive words of the NFC, lower-cased body (letters and digits only),
/// so punctuation, spacing and case differences between copies do not count.
/// </summary>
public sealed class MinHashSignature
{
    public const int Size = 128;
    public const int ShingleWords = 5;
    /// <summary>Bodies with fewer shingles say too little to be told apart from other short notices.</summary>
    public const int MinShingles = 20;

    private static readonly ulong[] Seeds = MakeSeeds();

    private readonly uint[] _values;

    private MinHashSignature(uint[] values, int shingles)
    {
        _values = values;
        ShingleCount = shingles;
    }

    public ReadOnlySpan<uint> Values => _values;
    public int ShingleCount { get; }
    /// <summary>Too short to cluster (fewer than <see cref="MinShingles"/> shingles): such articles keep their own id.</summary>
    public bool TooShort => ShingleCount < MinShingles;

    public static MinHashSignature Compute(string body)
    {
        var words = Words(body);
        var values = new uint[Size];
        Array.Fill(values, uint.MaxValue);
        var shingles = 0;
        var seen = new HashSet<ulong>();
        for (var i = 0; i + ShingleWords <= words.Count; i++)
        {
            var shingle = ShingleHash(words, i);
            if (!seen.Add(shingle)) continue;
            shingles++;
            for (var k = 0; k < Size; k++)
            {
                var h = (uint)(Mix(shingle ^ Seeds[k]) >> 32);
                if (h < values[k]) values[k] = h;
            }
        }
        return new MinHashSignature(values, shingles);
    }

    /// <summary>Estimated Jaccard similarity: the share of positions where both signatures hold the same minimum.</summary>
    public double Similarity(MinHashSignature other)
    {
        var equal = 0;
        for (var k = 0; k < Size; k++)
            if (_values[k] == other._values[k]) equal++;
        return equal / (double)Size;
    }

    /// <summary>Hash of band <paramref name="band"/> (rows <c>band*rows .. band*rows+rows-1</c>): equal bands make candidates.</summary>
    public ulong BandHash(int band, int rows)
    {
        ulong h = 0xcbf29ce484222325UL ^ (ulong)band;
        for (var k = band * rows; k < (band + 1) * rows; k++) h = Mix(h ^ _values[k]);
        return h;
    }

    public string ToBase64()
    {
        var bytes = new byte[Size * 4];
        for (var k = 0; k < Size; k++) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(k * 4), _values[k]);
        return Convert.ToBase64String(bytes);
    }

    public static MinHashSignature FromBase64(string base64, int shingleCount)
    {
        var bytes = Convert.FromBase64String(base64);
        if (bytes.Length != Size * 4) throw new FormatException($"a signature is {Size * 4} bytes, not {bytes.Length}");
        var values = new uint[Size];
        for (var k = 0; k < Size; k++) values[k] = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(k * 4));
        return new MinHashSignature(values, shingleCount);
    }

    internal static List<string> Words(string body)
    {
        var text = body.Normalize(NormalizationForm.FormC).ToLower(CultureInfo.InvariantCulture);
        var words = new List<string>();
        var sb = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark) sb.Append(c);
            else if (sb.Length > 0) { words.Add(sb.ToString()); sb.Clear(); }
        }
        if (sb.Length > 0) words.Add(sb.ToString());
        return words;
    }

    private static ulong ShingleHash(List<string> words, int start)
    {
        // FNV-1a 64 over the shingle's UTF-16 code units, words separated by a space.
        var h = 0xcbf29ce484222325UL;
        for (var i = start; i < start + ShingleWords; i++)
        {
            foreach (var c in words[i]) { h ^= c; h *= 0x100000001b3UL; }
            h ^= ' '; h *= 0x100000001b3UL;
        }
        return h;
    }

    /// <summary>SplitMix64's finaliser: a strong 64-bit mix, so seed ^ shingle acts as an independent hash per seed.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
        return z ^ (z >> 31);
    }

    private static ulong[] MakeSeeds()
    {
        var seeds = new ulong[Size];
        ulong state = 0x5EED_F33D_1A9E_5700UL; // fixed: signatures stored today must compare with those computed tomorrow
        for (var k = 0; k < Size; k++) { state += 0x9e3779b97f4a7c15UL; seeds[k] = Mix(state); }
        return seeds;
    }
}
