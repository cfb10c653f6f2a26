using System.Text;
using FeedIngest.Core.Extraction;

namespace FeedIngest.Core.Tests.Extraction;

/// <summary>The extractor's fast character tests agree with the library calls they stand in for.</summary>
public sealed class TextScanTests
{
    [Fact]
    public void IsSpaceAgreesWithCharIsWhiteSpaceOnEveryCharacter()
    {
        for (var c = 0; c <= char.MaxValue; c++)
            Assert.True(char.IsWhiteSpace((char)c) == NodeRules.IsSpace((char)c), $"U+{c:X4}");
    }

    [Fact]
    public void IsSpaceOrInvisibleIsWhitespaceOrAZeroWidthOrFormatCharacter()
    {
        for (var c = 0; c <= char.MaxValue; c++)
        {
            var expected = char.IsWhiteSpace((char)c) || c is 0x200B or 0x200C or 0x200D or 0xFEFF or 0x00AD;
            Assert.True(expected == NodeRules.IsSpaceOrInvisible((char)c), $"U+{c:X4}");
        }
    }

    [Fact]
    public void CountTextCountsNonSpaceCharactersAndCommasLikeACharacterLoop()
    {
        var alphabet = new[] { 'a', 'ệ', ' ', '\t', '\n', '\u00A0', '\u0085', '\u1680', '\u2000', '\u200A', '\u200B', '\u2028', '\u202F',
            '\u205F', '\u3000', ',', '，', '、', '“', '\u2013', '\u1FFF', '\u3001' };
        var random = new Random(11);
        for (var length = 0; length <= 70; length++)
            for (var round = 0; round < 20; round++)
            {
                var text = new char[length];
                for (var i = 0; i < length; i++) text[i] = alphabet[random.Next(alphabet.Length)];

                var nonSpace = NodeRules.CountText(text, out var commas);

                Assert.Equal(text.Count(ch => !char.IsWhiteSpace(ch)), nonSpace);
                Assert.Equal(text.Count(ch => ch is ',' or '，' or '、'), commas);
            }
    }

    [Fact]
    public void IsSingleSpacedMeansNoOtherWhitespaceNoInvisibleCharacterAndNoDoubleSpace()
    {
        var alphabet = new[] { 'a', 'ệ', ' ', ' ', ' ', '\t', '\n', '\u00A0', '\u00AD', '\u200B', '\u2009', '\uFEFF', '\u3000', '“', '\u2013' };
        var random = new Random(7);
        for (var length = 0; length <= 70; length++)
            for (var round = 0; round < 30; round++)
            {
                var text = new char[length];
                for (var i = 0; i < length; i++) text[i] = alphabet[random.Next(alphabet.Length) % (round % 3 == 0 ? alphabet.Length : 5)];
                var s = new string(text);

                var expected = !s.Contains("  ") && s.All(ch => ch == ' ' || !(char.IsWhiteSpace(ch) || ch is '\u00AD' or '\u200B' or '\u200C' or '\u200D' or '\uFEFF'));

                Assert.True(expected == NodeRules.IsSingleSpaced(s), $"'{s}'");
            }
    }

    [Fact]
    public void NfcSafeRangeScanFindsEveryCharacterOutsideTheRangesAtEveryPosition()
    {
        var safe = new[] { 'a', '\u00A0', 'đ', '\u02FF', '\u1E00', 'ệ', '\u1EFF', '\u2010', '“', '\u206F' };
        var outside = new[] { '\u0300', '\u0301', '\u1DFF', '\u1F00', '\u200F', '\u2070', '\uFEFF', '\uD83D' };
        // Lengths around the vector width, the odd character at every position (vector part and tail).
        for (var length = 1; length <= 40; length++)
        {
            var text = new char[length];
            for (var i = 0; i < length; i++) text[i] = safe[i % safe.Length];
            Assert.False(NodeRules.HasCharOutsideNfcSafeRanges(text));
            foreach (var odd in outside)
                for (var at = 0; at < length; at++)
                {
                    var copy = (char[])text.Clone();
                    copy[at] = odd;
                    Assert.True(NodeRules.HasCharOutsideNfcSafeRanges(copy), $"U+{(int)odd:X4} at {at} of {length}");
                }
        }
    }

    [Fact]
    public void WithoutTaxonomyDropsOnlyTokensThatStartWithATaxonomyPrefix()
    {
        var plain = "entry-content xtag-share share-wrapper";

        Assert.Same(plain, NodeRules.WithoutTaxonomy(plain));
        Assert.Equal("post entry", NodeRules.WithoutTaxonomy("post tag-social-media  Category-x-share-y\tstatus-publish entry"));
        Assert.Equal("tag- entry", NodeRules.WithoutTaxonomy("tag- entry"));
        Assert.Equal("", NodeRules.WithoutTaxonomy(" postid-2817 "));
    }

    [Fact]
    public void CollapsedTextIsTheCollapsedTextContentOfEveryElement()
    {
        var html = "<html><body><div> Tin\u00A0 liên  quan <p>Sáng nay,\tUBND <b>quận</b>\u200B tổ chức </p> <span> </span><i>a</i><i> b </i>"
                   + "<p>x\u00ADy\r\n z</p><p>“Một” – hai </p><p></p><p> </p><p>\u3000ba\u2009bốn\uFEFF</p></div></body></html>";
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html);

        foreach (var e in document.All)
            Assert.Equal(NodeRules.Collapse(e.TextContent), NodeRules.CollapsedText(e));
    }

    [Fact]
    public void ToNfcComposesDecomposedVietnameseAndKeepsComposedTextAsItIs()
    {
        var composed = "Thành phố Hồ Chí Minh tổ chức hội nghị";
        var decomposed = composed.Normalize(NormalizationForm.FormD);

        Assert.Same(composed, NodeRules.ToNfc(composed));
        Assert.Equal(composed, NodeRules.ToNfc(decomposed));
    }
}
