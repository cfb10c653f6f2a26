using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace FeedIngest.Core.Extraction;

/// <summary>
/// Structural cleanup and Readability-style scoring: which elements of the page hold the article.
/// Works on the document in place; the caller parses a fresh document for every attempt.
/// </summary>
internal static class ContentFinder
{
    [Flags]
    internal enum Flags
    {
        None = 0,
        /// <summary>Remove elements whose class/id says navigation, related, share, comments (Readability FLAG_STRIP_UNLIKELYS).</summary>
        StripUnlikely = 1,
        /// <summary>Weight candidates by class/id hints (Readability FLAG_WEIGHT_CLASSES).</summary>
        WeightClasses = 2,
        /// <summary>Remove nav/aside/header/footer/form by tag or ARIA role (bounded by the prose they hold).</summary>
        RemoveChrome = 4,
        All = StripUnlikely | WeightClasses | RemoveChrome,
    }

    /// <summary>
    /// Removes what never carries article text: scripts, styles, controls, hidden elements and override selectors
    /// always; page chrome by tag or role (nav, aside, header, footer, form, menu, dialog) only when it does not hold
    /// most of the page's prose — old ASP.NET portals wrap the whole page in one &lt;form&gt;, and some templates put
    /// the article in an &lt;aside&gt;. Returns the statistics of what is left, ready for the next passes.
    /// </summary>
    /// <param name="elements">The page's element count, when known (room for the statistics).</param>
    public static StatsTable RemoveNonContent(IHtmlDocument document, Sources.ExtractionOverrides? overrides, bool removeChrome = true, int elements = 128)
    {
        if (overrides is not null)
            foreach (var selector in overrides.RemoveSelectors)
            {
                try { foreach (var e in document.QuerySelectorAll(selector)) e.Remove(); }
                catch (Exception) { /* an invalid override selector is ignored, not fatal */ }
            }
        if (document.Body is not { } body) return new StatsTable([], []);
        // One walk counts the page without its junk, then the junk goes.
        var doomed = new List<IElement>();
        var stats = NodeRules.ComputeStats(body, static e => NodeRules.JunkTags.Contains(e.LocalName) || NodeRules.IsHidden(e), doomed, elements);
        foreach (var e in doomed) e.Remove();
        if (!removeChrome) return stats;
        var chrome = new List<IElement>();
        foreach (var e in stats.LiveOrder())
            if (NodeRules.ChromeTags.Contains(e.LocalName)
                || NodeRules.AttributeOf(e, "role") is "navigation" or "banner" or "contentinfo" or "complementary" or "dialog" or "menu") chrome.Add(e);
        var pageProse = Math.Max(1, stats[body].TextChars - stats[body].LinkChars);
        foreach (var e in chrome)
        {
            if (e.Parent is null || !stats.TryGetValue(e, out var s)) continue;
            // Bounded by what it would remove: a container holding most of the page's prose is the page.
            if (s.TextChars - s.LinkChars > pageProse * ExtractionThresholds.KeepChromeTextShare) continue;
            // An article's own <header> holds the title and byline, and sometimes the sapo: the sapo stays, the rest goes.
            if (e.LocalName == "header" && (NodeRules.HasAncestorTag(e, "article", 12) || NodeRules.HasAncestorTag(e, "main", 12)))
                foreach (var lead in NodeRules.Descendants(e).Where(x => x.LocalName is "p" or "div" or "h2" or "span" && ArticleExtractor.HasLeadHint(x)).Take(1).ToList())
                {
                    e.ParentElement?.InsertBefore(lead, e);
                    stats.Moved(lead, lead.ParentElement);
                }
            NodeRules.RemoveCounted(e, stats);
        }
        return stats;
    }

    /// <summary>
    /// Drops every related-articles block: a label such as "Tin khác" / "Có thể bạn quan tâm" / "Related" with its items,
    /// wherever it sits (after the body or inside it).
    /// </summary>
    public static void RemoveRelatedLists(IElement root, Dictionary<IElement, NodeStats> stats)
    {
        var labels = new List<IElement>();
        foreach (var e in NodeRules.ElementsInOrder(root, stats))
        {
            if (!stats.TryGetValue(e, out var s) || s.TextChars is 0 or > 40) continue;
            // The label is the innermost element whose text is the label: test only elements without an element child carrying all the text.
            if (NodeRules.SingleElementChild(e) is { } only && stats.TryGetValue(only, out var cs) && cs.TextChars == s.TextChars) continue;
            if (e.LocalName == "a" && !string.IsNullOrEmpty(e.GetAttribute("href")) && e.GetAttribute("href") != "#") continue;
            if (BoilerplateVocabulary.IsRelatedListLabel(NodeRules.CollapsedText(e))) labels.Add(e);
        }
        var pageProse = stats.TryGetValue(root, out var rs) ? Math.Max(1, rs.TextChars - rs.LinkChars) : int.MaxValue;
        foreach (var label in labels)
        {
            if (label.Parent is null) continue; // already gone with an earlier box
            var labelChars = stats[label].TextChars;
            // Climb while the container is still "label + links": the related box. Stop before a container with prose.
            // Items with teasers ("title link + a sentence") are a box too: several links, a fair link share, and far
            // less text than the page's prose.
            IElement box = label;
            for (var p = label.ParentElement; p is not null && p.LocalName is not ("body" or "html"); p = p.ParentElement)
            {
                if (!stats.TryGetValue(p, out var ps)) break;
                var rest = ps.TextChars - labelChars;
                var linkShare = rest <= 0 ? 1 : (double)ps.LinkChars / rest;
                var teaserList = ps.Anchors >= 2 && linkShare >= 0.2 && rest - ps.LinkChars < pageProse * 0.3;
                if (linkShare < ThresholdFor(rest) && !teaserList) break;
                box = p;
            }
            if (!ReferenceEquals(box, label))
            {
                // Items may follow the box as siblings when the box was only a heading wrapper.
                RemoveFollowingLinkSiblings(box, stats);
                NodeRules.RemoveCounted(box, stats);
                continue;
            }
            // Flat layout: <h3>Tin liên quan</h3><ul>…</ul> or <p><b>Xem thêm:</b></p><p><a>…</a></p>.
            RemoveFollowingLinkSiblings(label, stats);
            NodeRules.RemoveCounted(label, stats);
        }
    }

    // A box with much text must be clearly link-dominated; a small one (a few items with dates) less so.
    private static double ThresholdFor(int restChars) => restChars > 1500 ? 0.7 : ExtractionThresholds.RelatedBoxLinkShare;

    private static void RemoveFollowingLinkSiblings(IElement from, Dictionary<IElement, NodeStats> stats)
    {
        var next = from.NextElementSibling;
        while (next is not null)
        {
            var after = next.NextElementSibling;
            if (!stats.TryGetValue(next, out var s)) break;
            if (s.TextChars == 0 && next.LocalName is not ("ul" or "ol")) { next = after; continue; }
            var items = next.LocalName is "ul" or "ol";
            if (s.TextChars == 0 || (double)s.LinkChars / s.TextChars < ExtractionThresholds.RelatedBoxLinkShare) break;
            NodeRules.RemoveCounted(next, stats);
            if (!items && s.TextChars > 400) break;
            next = after;
        }
    }

    /// <summary>Readability's unlikely-candidate pass, with a guard: never remove what holds much of the page's prose.</summary>
    /// <returns>How many elements were removed (none: a retry without this pass would change nothing).</returns>
    public static int RemoveUnlikely(IElement body, Dictionary<IElement, NodeStats> stats)
    {
        var bodyStats = stats[body];
        var pageProse = Math.Max(1, bodyStats.TextChars - bodyStats.LinkChars);
        var doomed = new List<IElement>();
        var order = NodeRules.ElementsInOrder(body, stats);
        var skipUnder = new HashSet<IElement>(ReferenceEqualityComparer.Instance);
        foreach (var e in order)
        {
            if (e.ParentElement is { } pe && skipUnder.Contains(pe)) { skipUnder.Add(e); continue; }
            if (e.LocalName is "body" or "a" or "html" or "table" or "tbody" or "tr" or "td" or "th" or "li" or "p" or "h1") continue;
            var hints = NodeRules.ClassAndId(e);
            if (hints.Length == 0) continue;
            if (!BoilerplateVocabulary.UnlikelyCandidates.IsMatch(hints)) continue;
            var strong = IsStrongNegative(hints);
            if (BoilerplateVocabulary.MaybeCandidates.IsMatch(hints) && !strong) continue;
            // Comment threads and related boxes can out-write the article: they go whatever their size (the cascade's
            // retry without this pass is the safety net); other unlikely names keep a box that holds much of the prose.
            var s = stats[e];
            var prose = s.TextChars - s.LinkChars;
            if (!strong && prose > pageProse * ExtractionThresholds.KeepUnlikelyTextShare) continue;
            // Strong names are bounded too: a container holding most of the page's prose is the article, whatever it is called.
            if (strong && prose > pageProse * ExtractionThresholds.KeepStrongUnlikelyTextShare) continue;
            doomed.Add(e);
            skipUnder.Add(e);
        }
        foreach (var e in doomed) NodeRules.RemoveCounted(e, stats);
        return doomed.Count;
    }

    // Related/comment/share boxes often carry "content" in their name ("related-content"); these still go.
    private static bool IsStrongNegative(string hints) =>
        hints.Contains("related", StringComparison.OrdinalIgnoreCase) || hints.Contains("comment", StringComparison.OrdinalIgnoreCase)
        || hints.Contains("share", StringComparison.OrdinalIgnoreCase) || hints.Contains("tin-khac", StringComparison.OrdinalIgnoreCase)
        || hints.Contains("lien-quan", StringComparison.OrdinalIgnoreCase) || hints.Contains("social", StringComparison.OrdinalIgnoreCase);

    private static readonly HashSet<string> ScoredTags = new(StringComparer.Ordinal) { "p", "pre", "td", "blockquote" };
    private static readonly HashSet<string> BlockChildTags = new(StringComparer.Ordinal)
        { "p", "div", "section", "article", "table", "ul", "ol", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "dl", "main" };

    /// <summary>Scores paragraphs into their ancestors and returns the elements that make up the article, in document order.</summary>
    /// <param name="dominantProse">The prose of the page's largest cluster: the most text that paragraphs of one parent hold
    /// (what the sanity check compares the result with).</param>
    public static List<IElement> FindContent(IElement body, Dictionary<IElement, NodeStats> stats, Flags flags, out int dominantProse)
    {
        dominantProse = 0;
        var candidates = new List<IElement>();
        foreach (var e in NodeRules.ElementsInOrder(body, stats))
        {
            // What counts as a paragraph: p/pre/td/blockquote; a div holding only phrasing content (Readability's DIV-to-P),
            // whose score goes to its parent; and the loose text runs of a container that also has block children
            // (text + <br> bodies), whose score stays with the container itself.
            var s = stats[e];
            int chars, brs = 0;
            IElement? first;
            if (ScoredTags.Contains(e.LocalName) || (IsPhrasingContainer(e) && !HasBlockChild(e)))
            {
                chars = s.TextChars - (e.LocalName == "td" ? BlockChildChars(e, stats) : 0);
                first = e.ParentElement;
            }
            else if (IsPhrasingContainer(e))
            {
                chars = s.TextChars - BlockChildChars(e, stats);
                first = e;
            }
            else continue;
            if (chars < ExtractionThresholds.MinScoredParagraphChars) continue;
            var ownLinks = e.LocalName == "p" ? s.LinkChars : Math.Min(s.LinkChars, chars);
            if (chars - ownLinks < ExtractionThresholds.MinScoredParagraphChars / 2) continue;
            if (first is not null && chars - ownLinks >= ExtractionThresholds.ProseUnitChars && !InNegativeBox(first, stats))
            {
                var fs = stats[first];
                fs.ProseChars += chars - ownLinks;
                if (fs.ProseChars > dominantProse) dominantProse = fs.ProseChars;
            }
            var childNodes = e.ChildNodes;
            for (var i = 0; i < childNodes.Length; i++) if (childNodes[i] is IElement { LocalName: "br" }) brs++;
            // A text run broken by <br>s is several paragraphs: score it like that many, as Readability would after splitting.
            var chunks = Math.Max(1, Math.Min(chars / 300, 1 + brs / 2));
            var commas = Math.Min(first == e ? s.Commas - BlockChildCommas(e, stats) : s.Commas, chars / 20 + 1);
            var score = chunks + commas + Math.Min(chars / 100, 3 * chunks);
            var level = 0;
            for (var a = first; a is not null && level < ExtractionThresholds.ScoreAncestorLevels; a = a.ParentElement, level++)
            {
                if (a.LocalName == "html") break;
                var st = stats[a];
                if (!st.IsCandidate)
                {
                    st.IsCandidate = true;
                    st.Score = InitialScore(a, flags);
                    candidates.Add(a);
                }
                st.Score += level switch { 0 => score, 1 => score / 2, _ => score / (level * 3) };
            }
        }
        if (candidates.Count == 0) return [];

        IElement top = candidates[0];
        var topScore = double.MinValue;
        foreach (var c in candidates)
        {
            var st = stats[c];
            st.Score *= 1 - st.LinkDensity;
            if (st.Score > topScore) { topScore = st.Score; top = c; }
        }

        // Readability: climb while a parent scores close to the top (the body split across several children).
        var lastScore = topScore;
        var threshold = lastScore / 3;
        for (var parent = top.ParentElement; parent is not null && parent.LocalName is not ("body" or "html"); parent = parent.ParentElement)
        {
            var ps = stats[parent];
            if (!ps.IsCandidate) continue;
            if (ps.Score < threshold) break;
            if (ps.Score > lastScore) { top = parent; topScore = ps.Score; break; }
            lastScore = ps.Score;
        }

        // Siblings that score well or read as prose join the top candidate (Readability's sibling pass).
        var result = new List<IElement>();
        var siblingThreshold = Math.Max(10, topScore * ExtractionThresholds.SiblingScoreShare);
        var topClass = top.ClassName;
        var parentOfTop = top.ParentElement;
        if (parentOfTop is null || top.LocalName == "body") return [top];
        foreach (var sib in NodeRules.ElementChildren(parentOfTop))
        {
            if (ReferenceEquals(sib, top)) { result.Add(sib); continue; }
            var ss = stats.GetValueOrDefault(sib);
            if (ss is null || ss.TextChars == 0) continue;
            var bonus = !string.IsNullOrEmpty(topClass) && sib.ClassName == topClass ? topScore * 0.2 : 0;
            if (ss.IsCandidate && ss.Score + bonus >= siblingThreshold) { result.Add(sib); continue; }
            if (sib.LocalName == "p")
            {
                var ld = ss.LinkDensity;
                if (ss.TextChars > 80 && ld < 0.25) result.Add(sib);
                else if (ss.TextChars <= 80 && ld == 0 && ss.TextChars > 20 && EndsSentence(NodeRules.TextOf(sib))) result.Add(sib);
            }
        }
        return result;
    }

    /// <summary>A cluster in a container (or its parent, grandparent) named sidebar/author/comment… is not the page's
    /// dominant prose, however long: an "About the author" box may out-write a one-paragraph post.</summary>
    private static bool InNegativeBox(IElement container, Dictionary<IElement, NodeStats> stats)
    {
        var level = 0;
        for (var a = container; a is not null && level < 3 && a.LocalName is not ("body" or "html"); a = a.ParentElement, level++)
        {
            if (!stats.TryGetValue(a, out var st)) break;
            if (st.NegativeBox == 0)
            {
                var hints = NodeRules.ClassAndId(a);
                st.NegativeBox = (sbyte)(hints.Length > 0 && BoilerplateVocabulary.NegativeClass.IsMatch(hints) && !BoilerplateVocabulary.PositiveClass.IsMatch(hints) ? 2 : 1);
            }
            if (st.NegativeBox == 2) return true;
        }
        return false;
    }

    private static bool EndsSentence(string text)
    {
        var t = text.TrimEnd();
        return t.Length > 0 && t[^1] is '.' or '!' or '?' or '"' or '”' or ':';
    }

    // <aside>, <form> and <section> are candidates like <div>: templates put whole articles in each of them.
    private static bool IsPhrasingContainer(IElement e) => e.LocalName is "div" or "section" or "article" or "main" or "center" or "font" or "aside" or "form";

    // These run for most elements of the page: index loops over ChildNodes, no enumerator allocated per call.
    private static bool HasBlockChild(IElement e)
    {
        var nodes = e.ChildNodes;
        for (var i = 0; i < nodes.Length; i++) if (nodes[i] is IElement c && BlockChildTags.Contains(c.LocalName)) return true;
        return false;
    }

    private static int BlockChildChars(IElement e, Dictionary<IElement, NodeStats> stats)
    {
        var n = 0;
        var nodes = e.ChildNodes;
        for (var i = 0; i < nodes.Length; i++)
            if (nodes[i] is IElement c && (BlockChildTags.Contains(c.LocalName) || c.LocalName is "li" or "tr" or "tbody")) n += stats.TryGetValue(c, out var cs) ? cs.TextChars : 0;
        return n;
    }

    private static int BlockChildCommas(IElement e, Dictionary<IElement, NodeStats> stats)
    {
        var n = 0;
        var nodes = e.ChildNodes;
        for (var i = 0; i < nodes.Length; i++)
            if (nodes[i] is IElement c && (BlockChildTags.Contains(c.LocalName) || c.LocalName is "li" or "tr" or "tbody")) n += stats.TryGetValue(c, out var cs) ? cs.Commas : 0;
        return n;
    }

    private static double InitialScore(IElement e, Flags flags)
    {
        var score = e.LocalName switch
        {
            "div" or "article" or "section" or "main" or "aside" or "form" => 5,
            "pre" or "td" or "blockquote" => 3,
            "address" or "ol" or "ul" or "dl" or "dd" or "dt" or "li" => -3,
            "h1" or "h2" or "h3" or "h4" or "h5" or "h6" or "th" => -5,
            _ => 0,
        };
        if (e.LocalName is "article" or "main") score += 10;
        if ((flags & Flags.WeightClasses) != 0) score += ClassWeight(e);
        return score;
    }

    internal static int ClassWeight(IElement e)
    {
        var weight = 0;
        var cls = e.ClassName;
        if (!string.IsNullOrEmpty(cls)) weight += HintWeight(NodeRules.WithoutTaxonomy(cls));
        var id = e.Id;
        if (!string.IsNullOrEmpty(id)) weight += HintWeight(id);
        var itemprop = e.GetAttribute("itemprop");
        if (itemprop is not null && itemprop.Contains("articleBody", StringComparison.OrdinalIgnoreCase)) weight += 50;
        return weight;
    }

    private static int HintWeight(string value)
    {
        var weight = 0;
        if (BoilerplateVocabulary.NegativeClass.IsMatch(value)) weight -= 25;
        if (BoilerplateVocabulary.PositiveClass.IsMatch(value)) weight += 25;
        return weight;
    }
}
