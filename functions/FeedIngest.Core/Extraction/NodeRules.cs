using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
    /// <summary>The statistics of the element's parent element (null for the root of the pass, or a parent outside it);
    /// kept equal to the DOM parent when an element is moved (<see cref="StatsTable.Moved"/>).</summary>
    public NodeStats? Parent;

    public double LinkDensity => TextChars == 0 ? 0 : (double)LinkChars / TextChars;
}

/// <summary>
/// The statistics of one attempt, keyed by element, with the document order of the pass that built them: the later
/// passes walk this list (skipping what was removed since) instead of walking the DOM again.
/// </summary>
internal sealed class StatsTable : Dictionary<IElement, NodeStats>
{
    private readonly List<IElement> _order;
    private readonly List<NodeStats> _entries;

    public StatsTable(List<IElement> order, List<NodeStats> entries) : base(order.Count, ReferenceEqualityComparer.Instance)
    {
        _order = order;
        _entries = entries;
        for (var i = 0; i < order.Count; i++) Add(order[i], entries[i]);
    }

    /// <summary>Elements still in the page, in document order. Removal marks an element; its descendants follow it here
    /// (through the parent's statistics: no DOM call and no lookup per element).</summary>
    public IEnumerable<IElement> LiveOrder()
    {
        for (var i = 0; i < _order.Count; i++)
        {
            var s = _entries[i];
            if (s.Removed) continue;
            if (s.Parent is { Removed: true }) { s.Removed = true; continue; }
            yield return _order[i];
        }
    }

    /// <summary>An element was moved under <paramref name="newParent"/>: its parent statistics follow the DOM.</summary>
    public void Moved(IElement element, IElement? newParent)
    {
        if (TryGetValue(element, out var s)) s.Parent = newParent is not null && TryGetValue(newParent, out var ps) ? ps : null;
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

    // ClassName and Id read the attribute directly; GetAttribute lower-cases the name it is given on every call.
    internal static string ClassAndId(IElement e) => ClassAndId(e.ClassName, e.Id);

    internal static string ClassAndId(string? cls, string? id)
    {
        if (string.IsNullOrEmpty(cls)) return id ?? "";
        cls = WithoutTaxonomy(cls);
        return string.IsNullOrEmpty(id) ? cls : cls + " " + id;
    }

    // CMSs write the post's tags, categories and states into its class ("tag-social-media", "category-x-share-y",
    // "status-publish", "post-2817"): words chosen by the author, not by the template, so they are no evidence.
    private static readonly string[] TaxonomyPrefixes = ["tag-", "category-", "format-", "status-", "type-", "postid-", "topic-", "term-"];

    internal static string WithoutTaxonomy(string cls)
    {
        // Is any token a taxonomy token? Most class attributes have none and are returned as they are.
        var hit = false;
        var span = cls.AsSpan();
        for (var start = 0; start < span.Length && !hit;)
        {
            while (start < span.Length && IsSpace(span[start])) start++;
            var end = start;
            while (end < span.Length && !IsSpace(span[end])) end++;
            if (end > start && IsTaxonomyToken(span[start..end])) hit = true;
            start = end;
        }
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

    private static bool IsTaxonomyToken(ReadOnlySpan<char> token)
    {
        // Every prefix starts with c, f, p, s or t: an ASCII token starting otherwise is none (a non-ASCII first letter
        // is compared in full: 'ſ' equals 's' ignoring case).
        if (token.Length < 5 || (token[0] < 0x80 && (token[0] | 0x20) is not ('c' or 'f' or 'p' or 's' or 't'))) return false;
        foreach (var prefix in TaxonomyPrefixes)
            if (token.Length > prefix.Length && token.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>The value of the attribute named <paramref name="name"/> (lower case) as written, as GetAttribute gives it
    /// on an HTML element, without GetAttribute's lower-casing of the name: most elements have no attribute or one.</summary>
    internal static string? AttributeOf(IElement e, string name)
    {
        var list = e.Attributes;
        for (var i = 0; i < list.Length; i++)
            if (list[i] is { } attr && attr.Name == name) return attr.Value;
        return null;
    }

    internal static bool IsHidden(IElement e)
    {
        // One scan of the attribute list (most elements have none or one) instead of three lookups.
        var list = e.Attributes;
        string? style = null;
        for (var i = 0; i < list.Length; i++)
        {
            var attr = list[i];
            if (attr is null) continue;
            switch (attr.Name)
            {
                case "hidden": return true;
                case "aria-hidden" when string.Equals(attr.Value, "true", StringComparison.OrdinalIgnoreCase): return true;
                case "style": style ??= attr.Value; break;
            }
        }
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
            if (IsSpace(ch))
            {
                space = sb.Length > 0;
                continue;
            }
            if (space) { sb.Append(' '); space = false; }
            sb.Append(ch);
        }
        return sb.ToString();
    }

    // AngleSharp's TextContent builds a string through a process-wide StringBuilder pool behind a lock; the extractor
    // reads short texts of many elements, so it gathers the text nodes itself with a builder of its own per thread.
    [ThreadStatic] private static StringBuilder? t_text;
    [ThreadStatic] private static char[]? t_chars;
    [ThreadStatic] private static List<string>? t_pieces;
    [ThreadStatic] private static Stack<(INodeList Nodes, int Next)>? t_walk;

    /// <summary>The data of every text node under <paramref name="root"/> in document order (what TextContent joins).
    /// The list is the thread's own and is reused by the next call: read it before calling again.</summary>
    private static List<string> TextPieces(INode root)
    {
        var pieces = t_pieces ??= new List<string>(64);
        pieces.Clear();
        if (root is IText text) { pieces.Add(text.Data); return pieces; }
        var walk = t_walk ??= new Stack<(INodeList, int)>(32);
        walk.Clear();
        var nodes = root.ChildNodes;
        var i = 0;
        while (true)
        {
            if (i < nodes.Length)
            {
                var n = nodes[i++];
                if (n is IText t) pieces.Add(t.Data);
                else if (n is IElement && n.HasChildNodes)
                {
                    walk.Push((nodes, i));
                    (nodes, i) = (n.ChildNodes, 0);
                }
                continue;
            }
            if (walk.Count == 0) break;
            (nodes, i) = walk.Pop();
        }
        return pieces;
    }

    /// <summary>Same as <c>node.TextContent</c> for an element or text node.</summary>
    internal static string TextOf(INode node)
    {
        var pieces = TextPieces(node);
        if (pieces.Count == 0) return "";
        if (pieces.Count == 1) return pieces[0];
        var sb = t_text ??= new StringBuilder(256);
        sb.Clear();
        foreach (var p in pieces) sb.Append(p);
        var s = sb.ToString();
        if (sb.Capacity > 16384) t_text = null; // do not keep a huge builder alive for the thread
        return s;
    }

    /// <summary>Same as <c>Collapse(node.TextContent)</c>, in one pass and one string.</summary>
    internal static string CollapsedText(INode node)
    {
        var pieces = TextPieces(node);
        // One text node whose only whitespace is single spaces is collapsed already, but for a space at either end.
        if (pieces.Count == 1 && pieces[0] is var only && IsSingleSpaced(only))
        {
            int start = only.Length > 0 && only[0] == ' ' ? 1 : 0, end = only.Length;
            if (end > start && only[end - 1] == ' ') end--;
            return start == 0 && end == only.Length ? only : only[start..end];
        }
        var length = 0;
        foreach (var p in pieces) length += p.Length;
        var buffer = t_chars is { } b && b.Length >= length ? b : new char[Math.Max(length, 256)];
        if (buffer.Length <= 16384) t_chars = buffer; // do not keep a huge buffer alive for the thread
        var n = 0;
        var space = false;
        foreach (var p in pieces)
            foreach (var ch in p)
            {
                if (IsSpaceOrInvisible(ch))
                {
                    // Invisible characters are dropped; whitespace becomes one space before the next visible character.
                    if (IsSpace(ch)) space = n > 0;
                    continue;
                }
                if (space) { buffer[n++] = ' '; space = false; }
                buffer[n++] = ch;
            }
        return n == 0 ? "" : new string(buffer, 0, n);
    }

    /// <summary>Same as <c>NonSpaceChars(node.TextContent)</c>, without building the string.</summary>
    internal static int NonSpaceCharsOf(INode node)
    {
        var n = 0;
        foreach (var p in TextPieces(node)) n += NonSpaceChars(p);
        return n;
    }

    /// <summary>Same as <c>node.TextContent.Length</c>, without building the string.</summary>
    internal static int TextLengthOf(INode node)
    {
        var n = 0;
        foreach (var p in TextPieces(node)) n += p.Length;
        return n;
    }

    /// <summary>Same as <see cref="char.IsWhiteSpace(char)"/> (NBSP included), without its Unicode table lookup for the
    /// letters above Latin-1 — every Vietnamese letter with a tone mark — that make up much of the text counted here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsSpace(char ch) =>
        ch <= ' '
            ? ch == ' ' || (uint)(ch - '\t') <= '\r' - '\t'
            : ch >= '\u0085' && (ch is '\u0085' or '\u00A0' or '\u1680'
                                   || (ch >= '\u2000' && (ch <= '\u200A' || ch is '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u3000')));

    /// <summary>The string in Unicode NFC: itself when it already is. ICU's check is skipped for text made only of
    /// characters that are NFC whatever surrounds them — below U+0300 (Latin, with đ ơ ư), Latin Extended Additional
    /// (U+1E00–U+1EFF: the precomposed Vietnamese letters) and general punctuation (U+2010–U+206F) have no canonical
    /// decomposition and never combine with a neighbour.</summary>
    internal static string ToNfc(string s)
    {
        if (!HasCharOutsideNfcSafeRanges(s)) return s;
        return s.IsNormalized(NormalizationForm.FormC) ? s : s.Normalize(NormalizationForm.FormC);
    }

    /// <summary>Is any character outside U+0000–U+02FF, U+1E00–U+1EFF and U+2010–U+206F? Sixteen characters at a time:
    /// Vietnamese text has a letter of U+1E00–U+1EFF every few characters, which stopped a search for the first
    /// character above U+02FF at each of them.</summary>
    internal static bool HasCharOutsideNfcSafeRanges(ReadOnlySpan<char> text)
    {
        var units = MemoryMarshal.Cast<char, ushort>(text);
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var below = Vector256.Create((ushort)0x0300);
            var highByte = Vector256.Create((ushort)0xFF00);
            var extended = Vector256.Create((ushort)0x1E00);
            var punctuation = Vector256.Create((ushort)0x2010);
            var punctuationCount = Vector256.Create((ushort)0x0060);
            for (; i <= units.Length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var v = Vector256.Create(units.Slice(i, Vector256<ushort>.Count));
                var safe = Vector256.LessThan(v, below) | Vector256.Equals(v & highByte, extended) | Vector256.LessThan(v - punctuation, punctuationCount);
                if (safe != Vector256<ushort>.AllBitsSet) return true;
            }
        }
        for (; i < units.Length; i++)
        {
            var ch = units[i];
            if (ch >= 0x0300 && (ch >> 8) != 0x1E && (ushort)(ch - 0x2010) >= 0x60) return true;
        }
        return false;
    }

    internal static int NonSpaceChars(string s) => CountText(s, out _);

    /// <summary>Characters that are not whitespace (<see cref="IsSpace"/>), and commas (',' '，' '、'), sixteen characters
    /// at a time: the statistics pass counts every character of the page's text.</summary>
    internal static int CountText(ReadOnlySpan<char> text, out int commas)
    {
        var units = MemoryMarshal.Cast<char, ushort>(text);
        int spaces = 0, commaCount = 0, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= units.Length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var v = Vector256.Create(units.Slice(i, Vector256<ushort>.Count));
                var space = Vector256.Equals(v, Vector256.Create((ushort)' '))
                            | Vector256.LessThan(v - Vector256.Create((ushort)'\t'), Vector256.Create((ushort)5)) // \t \n \v \f \r
                            | Vector256.Equals(v, Vector256.Create((ushort)0x0085)) | Vector256.Equals(v, Vector256.Create((ushort)0x00A0))
                            | Vector256.Equals(v, Vector256.Create((ushort)0x1680))
                            | Vector256.LessThan(v - Vector256.Create((ushort)0x2000), Vector256.Create((ushort)0x000B)) // U+2000–U+200A
                            | Vector256.Equals(v, Vector256.Create((ushort)0x2028)) | Vector256.Equals(v, Vector256.Create((ushort)0x2029))
                            | Vector256.Equals(v, Vector256.Create((ushort)0x202F)) | Vector256.Equals(v, Vector256.Create((ushort)0x205F))
                            | Vector256.Equals(v, Vector256.Create((ushort)0x3000));
                var comma = Vector256.Equals(v, Vector256.Create((ushort)',')) | Vector256.Equals(v, Vector256.Create((ushort)'，'))
                            | Vector256.Equals(v, Vector256.Create((ushort)'、'));
                spaces += BitOperations.PopCount(space.ExtractMostSignificantBits());
                commaCount += BitOperations.PopCount(comma.ExtractMostSignificantBits());
            }
        }
        for (; i < units.Length; i++)
        {
            var ch = (char)units[i];
            if (IsSpace(ch)) spaces++;
            else if (ch is ',' or '，' or '、') commaCount++;
        }
        commas = commaCount;
        return text.Length - spaces;
    }

    /// <summary>True when the text's only whitespace is single spaces (' ', never two in a row) and it has no invisible
    /// format character (<see cref="IsSpaceOrInvisible"/>): collapsing would change nothing inside it. Sixteen
    /// characters at a time.</summary>
    internal static bool IsSingleSpaced(ReadOnlySpan<char> text)
    {
        var units = MemoryMarshal.Cast<char, ushort>(text);
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= units.Length - Vector256<ushort>.Count; i += Vector256<ushort>.Count)
            {
                var v = Vector256.Create(units.Slice(i, Vector256<ushort>.Count));
                var other = Vector256.LessThan(v - Vector256.Create((ushort)'\t'), Vector256.Create((ushort)5)) // \t \n \v \f \r
                            | Vector256.Equals(v, Vector256.Create((ushort)0x0085)) | Vector256.Equals(v, Vector256.Create((ushort)0x00A0))
                            | Vector256.Equals(v, Vector256.Create((ushort)0x00AD)) | Vector256.Equals(v, Vector256.Create((ushort)0x1680))
                            | Vector256.LessThan(v - Vector256.Create((ushort)0x2000), Vector256.Create((ushort)0x000E)) // U+2000–U+200D
                            | Vector256.Equals(v, Vector256.Create((ushort)0x2028)) | Vector256.Equals(v, Vector256.Create((ushort)0x2029))
                            | Vector256.Equals(v, Vector256.Create((ushort)0x202F)) | Vector256.Equals(v, Vector256.Create((ushort)0x205F))
                            | Vector256.Equals(v, Vector256.Create((ushort)0x3000)) | Vector256.Equals(v, Vector256.Create((ushort)0xFEFF));
                if (other != Vector256<ushort>.Zero) return false;
            }
        }
        for (; i < units.Length; i++)
        {
            var ch = (char)units[i];
            if (ch != ' ' && IsSpaceOrInvisible(ch)) return false;
        }
        return text.IndexOf("  ", StringComparison.Ordinal) < 0;
    }

    /// <summary>Whitespace (<see cref="IsSpace"/>) or an invisible format character: zero-width space, non-joiner and
    /// joiner, byte-order mark, soft hyphen. What ends a run of visible text.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsSpaceOrInvisible(char ch) =>
        ch <= ' '
            ? ch == ' ' || (uint)(ch - '\t') <= '\r' - '\t'
            : ch >= '\u0085' && (ch is '\u0085' or '\u00A0' or '\u00AD' or '\u1680' or '\uFEFF'
                                   || (ch >= '\u2000' && (ch <= '\u200D' || ch is '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u3000')));

    /// <summary>Every element of the subtree in document order, without recursion (deep pages overflow recursive walks).</summary>
    /// <summary>The live order when the statistics carry one (same root), else a fresh walk.</summary>
    internal static IEnumerable<IElement> ElementsInOrder(IElement root, Dictionary<IElement, NodeStats> stats) =>
        stats is StatsTable table && root.LocalName == "body" ? table.LiveOrder() : ElementsInOrder(root);

    // The walks' stacks are the thread's own (empty between calls: Pop clears each slot).
    [ThreadStatic] private static Stack<IElement>? t_elementStack;
    [ThreadStatic] private static Stack<(IElement Element, NodeStats? Parent)>? t_statsStack;

    internal static List<IElement> ElementsInOrder(IElement root)
    {
        var list = new List<IElement>(256);
        var stack = t_elementStack ??= new Stack<IElement>(64);
        stack.Clear();
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

    /// <summary>One walk: text, link-text and comma counts per element, summed bottom-up. Elements for which
    /// <paramref name="leaveOut"/> is true are left out with everything under them and listed in
    /// <paramref name="leftOut"/> (the caller removes them: the counts are those of the page without them).</summary>
    /// <param name="capacity">Room for this many elements (the page's element count, when known: no list regrowth).</param>
    internal static StatsTable ComputeStats(IElement root, Func<IElement, bool>? leaveOut = null, List<IElement>? leftOut = null, int capacity = 128)
    {
        var order = new List<IElement>(capacity);
        var entries = new List<NodeStats>(capacity);
        var stack = t_statsStack ??= new Stack<(IElement Element, NodeStats? Parent)>(64);
        stack.Clear();
        stack.Push((root, null));
        while (stack.Count > 0)
        {
            var (e, parent) = stack.Pop();
            if (parent is not null && leaveOut is not null && leaveOut(e)) { leftOut?.Add(e); continue; }
            var s = new NodeStats { Parent = parent };
            order.Add(e);
            entries.Add(s);
            // ChildNodes is an array-backed list; Children is a live collection that re-walks the children on every access.
            var nodes = e.ChildNodes;
            for (var c = nodes.Length - 1; c >= 0; c--)
            {
                var node = nodes[c];
                if (node is IElement child) stack.Push((child, s));
                else if (node.NodeType == NodeType.Text)
                {
                    s.TextChars += CountText(node.TextContent, out var commas);
                    s.Commas += commas;
                }
            }
        }
        // Reverse document order: every element after all of its descendants.
        for (var i = order.Count - 1; i >= 0; i--)
        {
            var s = entries[i];
            if (order[i].LocalName == "a")
            {
                s.LinkChars = s.TextChars;
                if (s.TextChars > 0) s.Anchors = 1;
            }
            if (s.Parent is { } ps)
            {
                ps.TextChars += s.TextChars;
                ps.LinkChars += s.LinkChars;
                ps.Commas += s.Commas;
                ps.Anchors += s.Anchors;
            }
        }
        return new StatsTable(order, entries);
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

    /// <summary>The elements under <paramref name="root"/> (not itself) in document order, lazily: what
    /// <c>QuerySelectorAll</c> walks, without parsing a selector string on every call.</summary>
    internal static IEnumerable<IElement> Descendants(IElement root)
    {
        var stack = new Stack<(INodeList Nodes, int Next)>();
        var nodes = root.ChildNodes;
        var i = 0;
        while (true)
        {
            if (i < nodes.Length)
            {
                if (nodes[i++] is not IElement e) continue;
                yield return e;
                if (e.HasChildNodes)
                {
                    stack.Push((nodes, i));
                    (nodes, i) = (e.ChildNodes, 0);
                }
                continue;
            }
            if (stack.Count == 0) yield break;
            (nodes, i) = stack.Pop();
        }
    }

    /// <summary>The first element under <paramref name="root"/> named <paramref name="tag"/>, or null.</summary>
    internal static IElement? FirstDescendant(IElement root, string tag)
    {
        foreach (var e in Descendants(root)) if (e.LocalName == tag) return e;
        return null;
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
