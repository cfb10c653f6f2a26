using AngleSharp.Dom;

namespace FeedIngest.Core.Extraction;

/// <summary>One line of output and what it was made of, for the block filters.</summary>
internal sealed class TextBlock
{
    public required string Text;
    /// <summary>The block element the text came from (p, li, h2, td, a div …).</summary>
    public required IElement Source;
    public int Chars;
    public int LinkChars;
    public int BoldChars;
    public int ItalicChars;
    public bool IsHeading;

    public double LinkShare => Chars == 0 ? 0 : (double)LinkChars / Chars;
    public bool AllBold => Chars > 0 && BoldChars >= Chars * 0.95;
    public bool AllItalic => Chars > 0 && ItalicChars >= Chars * 0.95;
}

/// <summary>
/// Turns content elements into blocks, never glued: paragraphs, text-bearing divs, list items, headings, table rows,
/// and &lt;br&gt;&lt;br&gt; runs each end a line. One explicit walk, no recursion.
/// </summary>
internal sealed class BlockWriter
{
    private static readonly HashSet<string> SkippedTags = new(StringComparer.Ordinal)
        { "figure", "figcaption", "img", "picture", "video", "audio", "iframe", "svg", "button", "input", "select", "textarea", "script", "style", "noscript", "canvas", "object", "embed", "map" };

    private readonly List<TextBlock> _blocks = [];
    // The line being written: a char buffer rather than a StringBuilder, whose Clear after a long paragraph allocated a
    // new chunk of the whole capacity.
    private char[] _line;
    private int _lineLength;
    private int _chars, _linkChars, _boldChars, _italicChars;
    private int _linkDepth, _boldDepth, _italicDepth;
    private bool _lastWasBreak;
    // Whitespace is collapsed while appending: a run becomes one pending space, written only before the next character.
    private bool _pendingSpace;
    private readonly Stack<IElement> _blockStack = new();
    private IElement? _root;

    // The line buffer and the walk stack are the thread's own, reused by the next writer (a small page's extraction
    // allocated them anew for every root: a kilobyte or two, a tenth of its fixed allocation).
    [ThreadStatic] private static char[]? t_line;
    [ThreadStatic] private static Stack<(INode Node, bool Exit)>? t_walk;

    private BlockWriter(char[] line) => _line = line;

    public static List<TextBlock> Write(IEnumerable<IElement> roots)
    {
        var w = new BlockWriter(t_line ?? new char[512]);
        t_line = null;
        foreach (var root in roots) w.Walk(root);
        // A line buffer grown by a very long paragraph is not kept.
        if (w._line.Length <= 16384) t_line = w._line;
        return w._blocks;
    }

    private void Walk(IElement root)
    {
        // (node, exiting): elements are visited on the way in and on the way out, like a recursive walk would.
        _root = root;
        var stack = t_walk ??= new Stack<(INode Node, bool Exit)>(64);
        stack.Clear();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (node, exit) = stack.Pop();
            if (node.NodeType == NodeType.Text)
            {
                AppendText(node.TextContent);
                continue;
            }
            if (node is not IElement e) continue;
            var tag = e.LocalName;
            if (exit)
            {
                Leave(e, tag);
                continue;
            }
            if (SkippedTags.Contains(tag)) continue;
            if (tag == "br")
            {
                // One <br> inside a paragraph is a line wrap; two in a row, or one after a finished sentence, end the block.
                // A bold run alone before the break is a sub-heading: its own line, never glued to the paragraph.
                if (_lastWasBreak || EndsSentence() || (_chars > 0 && _chars < 200 && _boldChars >= _chars)) Flush();
                else _pendingSpace = _lineLength > 0;
                _lastWasBreak = true;
                continue;
            }
            if (tag == "table" && IsDataTable(e))
            {
                Flush();
                WriteTable(e);
                continue;
            }
            Enter(e, tag);
            stack.Push((e, true));
            var children = e.ChildNodes;
            for (var i = children.Length - 1; i >= 0; i--)
            {
                var c = children[i];
                if (c.NodeType is NodeType.Text or NodeType.Element) stack.Push((c, false));
            }
        }
        Flush();
    }

    private void Enter(IElement e, string tag)
    {
        if (NodeRules.BlockTags.Contains(tag))
        {
            Flush();
            _blockStack.Push(e);
        }
        if (tag == "a") _linkDepth++;
        else if (tag is "b" or "strong") _boldDepth++;
        else if (tag is "i" or "em") _italicDepth++;
    }

    private void Leave(IElement e, string tag)
    {
        if (NodeRules.BlockTags.Contains(tag))
        {
            Flush();
            if (_blockStack.Count > 0) _blockStack.Pop();
        }
        if (tag == "a") _linkDepth--;
        else if (tag is "b" or "strong") _boldDepth--;
        else if (tag is "i" or "em") _italicDepth--;
    }

    private void AppendText(string t)
    {
        var n = NodeRules.IsSingleSpaced(t) ? AppendSingleSpaced(t) : AppendCollapsed(t);
        if (n == 0) return;
        _lastWasBreak = false;
        _chars += n;
        if (_linkDepth > 0) _linkChars += n;
        if (_boldDepth > 0) _boldChars += n;
        if (_italicDepth > 0) _italicChars += n;
    }

    /// <summary>Text whose only whitespace is single spaces (most text nodes): already collapsed but for a leading and a
    /// trailing space, so it is appended as it is. Returns the visible characters.</summary>
    private int AppendSingleSpaced(ReadOnlySpan<char> t)
    {
        var pendingSpace = _pendingSpace;
        var start = 0;
        var end = t.Length;
        if (end > 0 && t[0] == ' ')
        {
            pendingSpace = _lineLength > 0;
            start = 1;
        }
        var trailing = end > start && t[end - 1] == ' ';
        if (trailing) end--;
        var core = t[start..end];
        if (core.Length > 0)
        {
            EnsureRoom(core.Length + 1);
            if (pendingSpace) _line[_lineLength++] = ' ';
            core.CopyTo(_line.AsSpan(_lineLength));
            _lineLength += core.Length;
            pendingSpace = false;
        }
        if (trailing) pendingSpace = _lineLength > 0;
        _pendingSpace = pendingSpace;
        return core.Length - core.Count(' ');
    }

    /// <summary>Any other text, collapsed character by character. Returns the visible characters.</summary>
    private int AppendCollapsed(string t)
    {
        EnsureRoom(t.Length + 1);
        var line = _line;
        var length = _lineLength;
        var n = 0;
        var pendingSpace = _pendingSpace;
        foreach (var ch in t)
        {
            if (NodeRules.IsSpaceOrInvisible(ch))
            {
                // Invisible characters are dropped; whitespace becomes one pending space.
                if (NodeRules.IsSpace(ch)) pendingSpace = length > 0;
                continue;
            }
            if (pendingSpace) { line[length++] = ' '; pendingSpace = false; }
            line[length++] = ch;
            n++;
        }
        _pendingSpace = pendingSpace;
        _lineLength = length;
        return n;
    }

    /// <summary>Room for <paramref name="more"/> characters after the line.</summary>
    private void EnsureRoom(int more)
    {
        if (_lineLength + more > _line.Length) Array.Resize(ref _line, Math.Max(_line.Length * 2, _lineLength + more));
    }

    private bool EndsSentence()
    {
        for (var i = _lineLength - 1; i >= 0; i--)
        {
            var ch = _line[i];
            if (NodeRules.IsSpace(ch)) continue;
            return _chars >= 40 && ch is '.' or '!' or '?' or ':' or ';' or '"' or '”' or '…';
        }
        return false;
    }

    private void Flush()
    {
        if (_chars > 0)
        {
            var text = new string(_line, 0, _lineLength);
            if (text.Length > 0)
            {
                var source = _blockStack.Count > 0 ? _blockStack.Peek() : _root;
                if (source is not null)
                    _blocks.Add(new TextBlock
                    {
                        Text = text, Source = source, Chars = _chars, LinkChars = _linkChars, BoldChars = _boldChars,
                        ItalicChars = _italicChars, IsHeading = NodeRules.IsHeading(source.LocalName),
                    });
            }
        }
        _lineLength = 0;
        _pendingSpace = false;
        _chars = _linkChars = _boldChars = _italicChars = 0;
        _lastWasBreak = false;
    }

    /// <summary>
    /// A table of data as opposed to a layout table: at least two rows and two columns, nothing nested that
    /// only prose or layout holds (tables, lists, headings), and short cells — a CMS may still wrap each cell
    /// in one &lt;p&gt;, so one short block per cell is data, several blocks or a long cell is layout.
    /// </summary>
    private static bool IsDataTable(IElement table)
    {
        var rowList = new List<IElement>();
        foreach (var e in NodeRules.Descendants(table))
        {
            if (e.LocalName is "table" or "ul" or "ol" or "blockquote" || NodeRules.IsHeading(e.LocalName)) return false;
            if (e.LocalName == "tr") rowList.Add(e);
        }
        var rows = 0;
        var columns = 0;
        foreach (var row in rowList)
        {
            rows++;
            var cells = 0;
            foreach (var cell in NodeRules.ElementChildren(row))
            {
                if (cell.LocalName is not ("td" or "th")) continue;
                cells++;
                if (NodeRules.TextLengthOf(cell) > ExtractionThresholds.DataTableMaxCellChars) return false;
                if (NodeRules.Descendants(cell).Count(x => x.LocalName is "p" or "div") > 1) return false;
            }
            columns = Math.Max(columns, cells);
        }
        return rows >= 2 && columns >= 2;
    }

    /// <summary>Each row one line, cells joined by " | ".</summary>
    private void WriteTable(IElement table)
    {
        foreach (var row in NodeRules.Descendants(table))
        {
            if (row.LocalName != "tr" || !ReferenceEquals(row.Closest("table"), table)) continue;
            var cells = new List<string>();
            int chars = 0, links = 0, bold = 0;
            foreach (var cell in NodeRules.ElementChildren(row))
            {
                if (cell.LocalName is not ("td" or "th")) continue;
                var t = NodeRules.CollapsedText(cell);
                if (t.Length == 0) continue;
                cells.Add(t);
                chars += NodeRules.NonSpaceChars(t);
                foreach (var x in NodeRules.Descendants(cell))
                {
                    if (x.LocalName == "a") links += NodeRules.NonSpaceCharsOf(x);
                    else if (x.LocalName is "b" or "strong") bold += NodeRules.NonSpaceCharsOf(x);
                }
            }
            if (cells.Count == 0) continue;
            _blocks.Add(new TextBlock { Text = string.Join(" | ", cells), Source = row, Chars = chars, LinkChars = links, BoldChars = bold });
        }
    }
}
