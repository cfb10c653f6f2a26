using AngleSharp.Dom;

namespace FeedIngest.Core.Extraction;

/// <summary>
/// Line-level rules applied to the written blocks: furniture lines, date lines, link lines, the title and category
/// repeated in the body, cross-page boilerplate, and the trailing attribution and signature that go to metadata.
/// </summary>
internal static class BlockRules
{
    internal sealed record Outcome(List<string> Blocks, string? Lead, string? Attribution, string? SignatureAuthor, List<string> Fingerprints, int DroppedByMemory);

    public static Outcome Apply(List<TextBlock> blocks, PageMetadata metadata, IBoilerplateMemory? memory, IElement? leadElement)
    {
        var kept = new List<TextBlock>(blocks.Count);
        var fingerprints = new List<string>(blocks.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var droppedByMemory = 0;
        var repeatedThreshold = memory is null || memory.PagesObserved < ExtractionThresholds.BoilerplateMinObserved
            ? int.MaxValue
            : Math.Max(ExtractionThresholds.BoilerplateMinPages, (int)Math.Ceiling(memory.PagesObserved * ExtractionThresholds.BoilerplateMinShare));

        foreach (var b in blocks)
        {
            var text = b.Text;
            if (!HasWordCharacter(text)) continue;
            // Fingerprints serve only the cross-page memory: a page extracted without one skips the hashing.
            var fp = memory is null ? "" : Fingerprint.Of(text);
            if (memory is not null && seen.Add(fp)) fingerprints.Add(fp);
            if (IsTitleOrBanner(text, metadata)) continue;
            if (text.Length <= ExtractionThresholds.FurnitureMaxChars
                && (BoilerplateVocabulary.FurnitureLine().IsMatch(text) || BoilerplateVocabulary.EnglishFurnitureLine().IsMatch(text))) continue;
            if (BoilerplateVocabulary.IsToolbarLine(text)) continue;
            if (DateParsing.IsDateLine(text)) continue;
            if (text.Length <= 80 && BoilerplateVocabulary.PhotoCredit().IsMatch(text)) continue;
            if (BoilerplateVocabulary.InlineRelatedLine().IsMatch(text) && (b.LinkShare >= 0.3 || text.StartsWith(">>", StringComparison.Ordinal))) continue;
            if (b.LinkShare >= ExtractionThresholds.LinkLineShare && text.Length <= ExtractionThresholds.LinkLineMaxChars && !b.IsHeading) continue;
            if (BoilerplateVocabulary.IsRelatedListLabel(text)) continue;
            // Cross-page signal: a block this source repeats on many pages. A block unique to the page never matches.
            if (memory is not null && repeatedThreshold != int.MaxValue && memory.PageCount(fp) >= repeatedThreshold) { droppedByMemory++; continue; }
            kept.Add(b);
        }

        // Header lines glued to the first body line by single <br>s (table layouts): a leading date/time, then the title.
        for (var i = 0; i < Math.Min(kept.Count, 2); i++)
        {
            var stripped = StripHeaderPrefix(kept[i].Text, metadata);
            if (!ReferenceEquals(stripped, kept[i].Text)) kept[i].Text = stripped;
        }

        // Consecutive duplicates (a lead repeated as the first paragraph, a caption echoed) collapse into one.
        for (var i = kept.Count - 1; i > 0; i--)
            if (kept[i].Text == kept[i - 1].Text) kept.RemoveAt(i);

        // The closing lines: "(Nguồn: …)", "Theo …", "Tác giả: …", a signature — metadata, not body.
        string? attribution = null, author = null;
        for (var guard = 0; guard < 3 && kept.Count > 1; guard++)
        {
            var last = kept[^1];
            var text = last.Text;
            var src = BoilerplateVocabulary.SourceAttribution().Match(text);
            if (src.Success && attribution is null)
            {
                attribution = src.Groups["src"].Value.Trim();
                kept.RemoveAt(kept.Count - 1);
                continue;
            }
            var theo = BoilerplateVocabulary.TheoAttribution().Match(text);
            if (theo.Success && attribution is null && text.Split(' ').Length <= 10)
            {
                attribution = theo.Groups["src"].Value.Trim();
                kept.RemoveAt(kept.Count - 1);
                continue;
            }
            var both = BoilerplateVocabulary.SignatureWithSource().Match(text);
            if (both.Success && author is null && attribution is null && text.Length <= 120 && LooksLikeName(both.Groups["name"].Value))
            {
                author = both.Groups["name"].Value.Trim();
                attribution = both.Groups["src"].Value.Trim();
                kept.RemoveAt(kept.Count - 1);
                continue;
            }
            var byline = BoilerplateVocabulary.BylineLine().Match(text);
            if (byline.Success && author is null && text.Length <= 70)
            {
                author = byline.Groups["name"].Value.Trim();
                kept.RemoveAt(kept.Count - 1);
                continue;
            }
            if (author is null && IsSignature(last))
            {
                author = text.Trim('(', ')', ' ', '.');
                kept.RemoveAt(kept.Count - 1);
                continue;
            }
            break;
        }

        string? lead = null;
        if (kept.Count > 0 && (leadElement is not null && (ReferenceEquals(kept[0].Source, leadElement) || NodeRules.IsAncestorOf(leadElement, kept[0].Source))
                               || ArticleExtractor.HasLeadHint(kept[0].Source)))
            lead = kept[0].Text;

        var texts = new List<string>(kept.Count);
        foreach (var b in kept) texts.Add(b.Text);
        return new Outcome(texts, lead, attribution, author, fingerprints, droppedByMemory);
    }

    /// <summary>"Thứ Tư, 27/01/2021 - 16:20 &lt;title&gt; &lt;first sentence …&gt;" → "&lt;first sentence …&gt;". Returns the same instance when nothing is cut.</summary>
    internal static string StripHeaderPrefix(string text, PageMetadata metadata)
    {
        var rest = text;
        var date = BoilerplateVocabulary.LeadingDateTime().Match(rest);
        if (date.Success && rest.Length - date.Length >= 20) rest = rest[date.Length..];
        if (metadata.Title is { Length: >= 10 } title && rest.Length > title.Length + 20 && rest.StartsWith(title, StringComparison.OrdinalIgnoreCase)
            && rest[title.Length] == ' ')
            rest = rest[(title.Length + 1)..];
        return rest.Length == text.Length ? text : rest.TrimStart();
    }

    private static bool HasWordCharacter(string text)
    {
        foreach (var ch in text) if (char.IsLetterOrDigit(ch)) return true;
        return false;
    }

    private static bool IsTitleOrBanner(string text, PageMetadata metadata)
    {
        if (text.Length > 300) return false;
        return (metadata.Title is { } t && string.Equals(text, t, StringComparison.OrdinalIgnoreCase))
               || (metadata.Headline is { } h && string.Equals(text, h, StringComparison.OrdinalIgnoreCase))
               || (metadata.Category is { } c && string.Equals(text, NodeRules.Collapse(c), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A short name at the end, set apart the way portals print signatures: right-aligned, bold, or classed as author.</summary>
    private static bool IsSignature(TextBlock b)
    {
        var text = b.Text;
        if (text.Length > ExtractionThresholds.SignatureMaxChars || !LooksLikeName(text)) return false;
        var hints = NodeRules.ClassAndId(b.Source);
        if (hints.Length > 0 && BoilerplateVocabulary.AuthorClass.IsMatch(hints)) return true;
        if (b.Source.ParentElement is { } p && BoilerplateVocabulary.AuthorClass.IsMatch(NodeRules.ClassAndId(p))) return true;
        if (NodeRules.IsRightAligned(b.Source)) return true;
        return b.AllBold || b.AllItalic;
    }

    internal static bool LooksLikeName(string text)
    {
        var t = text.Trim('(', ')', ' ', '.');
        if (t.Length < 2) return false;
        var words = t.Split([' ', '-', ',', '–', '&'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is 0 or > 7) return false;
        foreach (var w in words)
        {
            if (w.Any(char.IsDigit)) return false;
            if (!char.IsUpper(w[0]) && w is not ("và" or "and" or "và")) return false;
        }
        return !t.Contains(':') && !t.EndsWith('?');
    }
}

/// <summary>Normalised-text fingerprint of a block: lower-case, letters and digits only, FNV-1a 64-bit, hex.</summary>
public static class Fingerprint
{
    public static string Of(string text)
    {
        const ulong offset = 14695981039346656037, prime = 1099511628211;
        var hash = offset;
        foreach (var ch in text)
        {
            if (!char.IsLetterOrDigit(ch)) continue;
            var c = char.ToLowerInvariant(ch);
            hash ^= c;
            hash *= prime;
        }
        return hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }
}
