using System.Text;
using AngleSharp.Dom;

namespace FeedIngest.Core.Extraction;

/// <summary>Text counts of one element, gathered in a single bottom-up pass (TextContent is a walk, not a field).</summary>
internal sealed class NodeStats
{
    /// <summary>Non-whitespace characters of all descendant text.</summary>
    public int TextChars;
    /// <summary>Non-whitespace characters inside &lt;a&gt;.</summary>
    public int LinkChars;
    public int Commas;
    /// <summary>Links with text among the descendants (an item list has several).</summary>
    public int Anchors;
    public double Score;
    public bool IsCandidate;
    /// <summary>Prose of the paragraphs whose parent (or own text runs) this element holds, for the dominant-prose measure.</summary>
    public int ProseChars;
    /// <summary>Removed from the page (itself or with an ancestor) since the statistics pass.</summary>
    public bool Removed;
    /// <summary>0 not yet known, 1 no negative class hint, 2 named like furniture (sidebar, author, comment …).</summary>
    public sbyte NegativeBox;

    public double LinkDensity => TextChars == 0 ? 0 : (double)LinkChars / TextChars;
}

/// <summary>
/// The statistics of one attempt, keyed by element, with the document order of the pass that built them: the later
/// passes walk this list (skipping what was removed since) instead of walking the DOM again.
/// </summary>
internal sealed class StatsTable(List<IElement> order) : Dictionary<IElement, NodeStats>(order.Count, ReferenceEqualityComparer.Instance)
{
    /// <summary>Elements still in the page, in document order. Removal marks an element; its descendants follow it here.</summary>
    public IEnumerable<IElement> LiveOrder()
    {
        foreach (var e in order)
        {
            if (!TryGetValue(e, out var s) || s.Removed) continue;
            if (e.ParentElement is { } p && TryGetValue(p, out var ps) && ps.Removed) { s.Removed = true; continue; }
            yield return e;
        }
    }
}

/// <summary>Small named predicates over DOM nodes (Readability's _isPhrasingContent, _getLinkDensity, …).</summary>
internal static class NodeRules
{
    /// <summary>Elements that never carry article text, removed whatever they hold.</summary>
    internal static readonly HashSet<string> JunkTags = new(StringComparer.Ordinal)
    {
        "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "math", "button",
        "input", "select", "textarea", "option", "label", "menu", "dialog", "link", "meta", "audio", "video", "map", "head",
    };

    /// <summary>Page chrome by tag name: removed unless it holds most of the page's prose.</summary>
    internal static readonly HashSet<string> ChromeTags = new(StringComparer.Ordinal) { "form", "nav", "aside", "footer", "header" };

    /// <summary>Elements that start and end a block of text.</summary>
    internal static readonly HashSet<string> BlockTags = new(StringComparer.Ordinal)
    {
        "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
        "blockquote", "pre", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "figure", "figcaption",
        "header", "footer", "aside", "address", "hr", "center", "details", "summary", "body", "html", "form", "fieldset", "nav",
    };

    internal static bool IsHeading(string tag) => tag.Length == 2 && tag[0] == 'h' && tag[1] is >= '1' and <= '6';

    internal static string ClassAndId(IElement e)
    {
        var cls = e.GetAttribute("class");
        var id = e.GetAttribute("id");
        if (string.IsNullOrEmpty(cls)) return id ?? "";
        cls = WithoutTaxonomy(cls);
        return string.IsNullOrEmpty(id) ? cls : cls + " " + id;
    }

    // CMSs write the post's tags, categories and states into its class ("tag-social-media", "category-x-share-y",
    // "status-publish", "post-2817"): words chosen by the author, not by the template, so they are no evidence.
    private static readonly string[] TaxonomyPrefixes = ["tag-", "category-", "format-", "status-", "type-", "postid-", "topic-", "term-"];

    internal static string WithoutTaxonomy(string cls)
    {
        var hit = false;
        foreach (var prefix in TaxonomyPrefixes)
            if (cls.Contains(prefix, StringComparison.OrdinalIgnoreCase)) { hit = true; break; }
        if (!hit) return cls;
        var sb = new StringBuilder(cls.Length);
        foreach (var token in cls.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (IsTaxonomyToken(token)) continue;
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(token);
        }
        return sb.ToString();
    }

    private static bool IsTaxonomyToken(string token)
    {
        foreach (var prefix in TaxonomyPrefixes)
            if (token.Length > prefix.Length && token.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    internal static bool IsHidden(IElement e)
    {
        if (e.HasAttribute("hidden")) return true;
        if (string.Equals(e.GetAttribute("aria-hidden"), "true", StringComparison.OrdinalIgnoreCase)) return true;
        var style = e.GetAttribute("style");
        if (style is null) return false;
        return ContainsNoSpace(style, "display:none") || ContainsNoSpace(style, "visibility:hidden");
    }

    private static bool ContainsNoSpace(string style, string needle)
    {
        if (style.Length > 400) return false;
        Span<char> buf = stackalloc char[style.Length];
        var n = 0;
        foreach (var ch in style) if (!char.IsWhiteSpace(ch)) buf[n++] = char.ToLowerInvariant(ch);
        return buf[..n].IndexOf(needle.AsSpan()) >= 0;
    }

    internal static bool IsRightAligned(IElement e)
    {
        for (var x = e; x is not null && x.LocalName is not ("body" or "div" or "article" or "section"); x = x.ParentElement)
        {
            var style = x.GetAttribute("style");
            if (style is not null && style.Contains("right", StringComparison.OrdinalIgnoreCase) && style.Contains("text-align", StringComparison.OrdinalIgnoreCase)) return true;
            if (string.Equals(x.GetAttribute("align"), "right", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>Whitespace runs (including NBSP and zero-width characters) become one space; ends trimmed.</summary>
    internal static string Collapse(string s)
    {
        var sb = new StringBuilder(s.Length);
        var space = false;
        foreach (var ch in s)
        {
            if (ch is '\u200B' or '\u200C' or '\u200D' or '\uFEFF' or '\u00AD') continue;
            if (char.IsWhiteSpace(ch) || ch == '\u00A0')
            {
                space = sb.Length > 0;
                continue;
            }
            if (space) { sb.Append(' '); space = false; }
            sb.Append(ch);
        }
        return sb.ToString();
    }

    internal static int NonSpaceChars(string s)
    {
        var n = 0;
        foreach (var ch in s) if (!char.IsWhiteSpace(ch) && ch != '\u00A0') n++;
        return n;
    }

    internal static int CountCommas(string s)
    {
        var n = 0;
        foreach (var ch in s) if (ch is ',' or '，' or '、') n++;
        return n;
    }

    /// <summary>Every element of the subtree in document order, without recursion (deep pages overflow recursive walks).</summary>
    /// <summary>The live order when the statistics carry one (same root), else a fresh walk.</summary>
    internal static IEnumerable<IElement> ElementsInOrder(IElement root, Dictionary<IElement, NodeStats> stats) =>
        stats is StatsTable table && root.LocalName == "body" ? table.LiveOrder() : ElementsInOrder(root);

    internal static List<IElement> ElementsInOrder(IElement root)
    {
        var list = new List<IElement>(256);
        var stack = new Stack<IElement>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var e = stack.Pop();
            list.Add(e);
            // ChildNodes is an array-backed list; Children is a live collection that re-walks the children on every access.
            var children = e.ChildNodes;
            for (var i = children.Length - 1; i >= 0; i--)
                if (children[i] is IElement child) stack.Push(child);
        }
        return list;
    }

    /// <summary>One bottom-up pass: text, link-text and comma counts per element.</summary>
    internal static StatsTable ComputeStats(IElement root)
    {
        var order = ElementsInOrder(root);
        var stats = new StatsTable(order);
        foreach (var e in order) stats[e] = new NodeStats();
        for (var i = order.Count - 1; i >= 0; i--)
        {
            var e = order[i];
            var s = stats[e];
            var nodes = e.ChildNodes;
            for (var c = 0; c < nodes.Length; c++)
            {
                if (nodes[c].NodeType != NodeType.Text) continue;
                var t = nodes[c].TextContent;
                foreach (var ch in t)
                {
                    if (ch is ',' or '，' or '、') s.Commas++;
                    if (!char.IsWhiteSpace(ch) && ch != '\u00A0') s.TextChars++;
                }
            }
            if (e.LocalName == "a")
            {
                s.LinkChars = s.TextChars;
                if (s.TextChars > 0) s.Anchors = 1;
            }
            if (!ReferenceEquals(e, root) && e.ParentElement is { } parent && stats.TryGetValue(parent, out var ps))
            {
                ps.TextChars += s.TextChars;
                ps.LinkChars += s.LinkChars;
                ps.Commas += s.Commas;
                ps.Anchors += s.Anchors;
            }
        }
        return stats;
    }

    /// <summary>Removes an element and takes its counts off its ancestors, so one stats pass serves the whole attempt.</summary>
    internal static void RemoveCounted(IElement e, Dictionary<IElement, NodeStats> stats)
    {
        if (stats.TryGetValue(e, out var s))
        {
            s.Removed = true;
            for (var p = e.ParentElement; p is not null; p = p.ParentElement)
            {
                if (!stats.TryGetValue(p, out var ps)) break;
                ps.TextChars -= s.TextChars;
                ps.LinkChars -= s.LinkChars;
                ps.Commas -= s.Commas;
                ps.Anchors -= s.Anchors;
            }
        }
        e.Remove();
    }

    /// <summary>Element children without the live-collection cost of <c>Children</c>.</summary>
    internal static IEnumerable<IElement> ElementChildren(IElement e)
    {
        var nodes = e.ChildNodes;
        for (var i = 0; i < nodes.Length; i++)
            if (nodes[i] is IElement child) yield return child;
    }

    /// <summary>The only element child, or null when there are none or several.</summary>
    internal static IElement? SingleElementChild(IElement e)
    {
        IElement? only = null;
        var nodes = e.ChildNodes;
        for (var i = 0; i < nodes.Length; i++)
        {
            if (nodes[i] is not IElement child) continue;
            if (only is not null) return null;
            only = child;
        }
        return only;
    }

    internal static bool IsAncestorOf(IElement ancestor, INode node)
    {
        for (var p = node.Parent; p is not null; p = p.Parent)
            if (ReferenceEquals(p, ancestor)) return true;
        return false;
    }

    internal static bool HasAncestorTag(IElement e, string tag, int maxDepth = 8)
    {
        var d = 0;
        for (var p = e.ParentElement; p is not null && d < maxDepth; p = p.ParentElement, d++)
            if (p.LocalName == tag) return true;
        return false;
    }
}
