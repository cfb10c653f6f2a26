using System.Globalization;
using FeedIngest.Core.Clustering;
using Xunit.Abstractions;

namespace FeedIngest.Core.Tests.Clustering;

/// <summary>
/// The threshold against the calibration set (tests/fixtures/syndication): every copy of the release must reach it and
/// be a band candidate; no different report on the same event may reach it. Figures go to docs/SYNDICATION.md.
/// </summary>
public sealed class SyndicationCalibrationTests(ITestOutputHelper output)
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "syndication", name));

    public static TheoryData<string> Copies => new() { "release-other-lead.txt", "release-cut-ending.txt", "release-other-signature.txt" };

    [Theory]
    [MemberData(nameof(Copies))]
    public void CopiesOfTheReleaseMatchAndShareABand(string copy)
    {
        var release = MinHashSignature.Compute(Fixture("release.txt"));
        var other = MinHashSignature.Compute(Fixture(copy));

        var similarity = release.Similarity(other);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"release vs {copy}: {similarity:0.000} (exact Jaccard {ExactJaccard("release.txt", copy):0.000}), shared bands {SharedBands(release, other)}"));

        Assert.True(similarity >= SyndicationIndex.Threshold, $"{copy}: {similarity:0.000} < {SyndicationIndex.Threshold}");
        Assert.True(SharedBands(release, other) > 0, $"{copy} shares no band: the index would never propose it");
    }

    [Theory]
    [InlineData("release.txt", "report-same-event-a.txt")]
    [InlineData("release.txt", "report-same-event-b.txt")]
    [InlineData("report-same-event-a.txt", "report-same-event-b.txt")]
    [InlineData("release-other-lead.txt", "report-same-event-b.txt")]
    [InlineData("release.txt", "report-quoting-release.txt")]
    [InlineData("release-cut-ending.txt", "report-quoting-release.txt")]
    public void DifferentReportsOnTheSameEventDoNotMatch(string a, string b)
    {
        var similarity = MinHashSignature.Compute(Fixture(a)).Similarity(MinHashSignature.Compute(Fixture(b)));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{a} vs {b}: {similarity:0.000} (exact Jaccard {ExactJaccard(a, b):0.000})"));
        Assert.True(similarity < SyndicationIndex.Threshold, $"{a} vs {b}: {similarity:0.000} ≥ {SyndicationIndex.Threshold}");
    }

    [Fact]
    public void SignatureIgnoresCaseSpacingPunctuationAndNormalisationForm()
    {
        var text = Fixture("release.txt");
        var variant = text.ToUpperInvariant().Replace(", ", " , ", StringComparison.Ordinal).Replace("\n", "\n\n", StringComparison.Ordinal).Normalize(System.Text.NormalizationForm.FormD);
        Assert.Equal(1.0, MinHashSignature.Compute(text).Similarity(MinHashSignature.Compute(variant)));
    }

    [Fact]
    public void ShortNoticesAreTooShortToCluster()
    {
        Assert.True(MinHashSignature.Compute("Thông báo lịch tiếp công dân tháng 12 của UBND phường.").TooShort);
        Assert.False(MinHashSignature.Compute(Fixture("release.txt")).TooShort);
    }

    [Fact]
    public void SignatureRoundTripsThroughItsStoredForm()
    {
        var signature = MinHashSignature.Compute(Fixture("release.txt"));
        var back = MinHashSignature.FromBase64(signature.ToBase64(), signature.ShingleCount);
        Assert.Equal(1.0, signature.Similarity(back));
        Assert.Equal(signature.BandHash(3, SyndicationIndex.RowsPerBand), back.BandHash(3, SyndicationIndex.RowsPerBand));
    }

    private static int SharedBands(MinHashSignature a, MinHashSignature b) =>
        Enumerable.Range(0, SyndicationIndex.Bands).Count(i => a.BandHash(i, SyndicationIndex.RowsPerBand) == b.BandHash(i, SyndicationIndex.RowsPerBand));

    private static double ExactJaccard(string a, string b)
    {
        HashSet<string> Shingles(string name)
        {
            var words = MinHashSignature.Words(Fixture(name));
            return Enumerable.Range(0, Math.Max(0, words.Count - MinHashSignature.ShingleWords + 1))
                .Select(i => string.Join(' ', words.Skip(i).Take(MinHashSignature.ShingleWords))).ToHashSet();
        }
        var x = Shingles(a);
        var y = Shingles(b);
        return x.Intersect(y).Count() / (double)x.Union(y).Count();
    }
}
