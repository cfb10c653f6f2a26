using System.Buffers;
using System.Numerics;
using System.Text;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace FeedIngest.Core.Extraction;

/// <summary>
/// Main-content extraction for news and portal pages, on AngleSharp. Thread-safe: a parser per thread and no shared
/// mutable state (the boilerplate memory in the context is the caller's and is itself thread-safe).
/// <para>The cascade, each step only when the previous one under-delivered (as trafilatura_sequence):</para>
/// <list type="number">
/// <item>main extractor: cleanup, related-list removal, unlikely-candidate stripping, scoring, blocks, block rules;</item>
/// <item>the same without stripping unlikely candidates (a class name can lie), keeping the longer body;</item>
/// <item>baseline rescue: every prose paragraph of the cleaned page, when that is longer still;</item>
/// <item>sanity check: a result of a few words, or under half the page's dominant prose cluster, is retried with the
/// rules loosened one at a time (unlikely stripping, class weights, chrome-tag removal, all three), then the baseline;
/// the longest result is kept.</item>
/// </list>
/// </summary>
public sealed class ArticleExtractor : IArticleExtractor
{
    public const string Version = "1.0.0";

    // No comments, no scripting, no source positions (nothing reads them), and no raw-text content: the CSS of <style>,
    // the fallback of <iframe>/<noembed>/<noframes> — junk that is removed unread (and <xmp>, obsolete since HTML 3.2,
    // whose text would be lost). The text of <script> is kept: JSON-LD is read from it.
    private static readonly HtmlParserOptions ParserOptions = new() { IsScripting = false, SkipComments = true, DisableElementPositionTracking = true, SkipRawText = true };

    public ExtractedArticle Extract(string html, Uri? pageUrl = null, ExtractionContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(html);
        // 0. Input guard: empty, not text, oversized.
        if (string.IsNullOrWhiteSpace(html)) throw new ExtractionException("empty page");
        if (LooksBinary(html)) throw new ExtractionException("input is not an HTML page (binary content)");
        var truncated = false;
        if (html.Length > ExtractionThresholds.MaxInputChars)
        {
            var cut = html.LastIndexOf('<', ExtractionThresholds.MaxInputChars - 1);
            html = html[..(cut > 0 ? cut : ExtractionThresholds.MaxInputChars)];
            truncated = true;
        }
        // Pages arrive in NFD too (and windows-1258 writes tone marks as combining characters): normalise once.
        html = NodeRules.ToNfc(html);

        var overrides = context?.Overrides;

        // 1. Parse and read metadata from the untouched page.
        var document = Parse(html);
        // Every element in document order, before cleanup removes any: metadata reads them, and the first attempt
        // gives its body element's position in this list.
        var elements = NodeRules.ElementsInOrder(document.DocumentElement);
        var metadata = MetadataReader.Read(document, elements, pageUrl, overrides);

        // 2. Main extractor, then the cascade.
        var best = Attempt(document, metadata, pageUrl, context, ContentFinder.Flags.All, elements);
        var tried = new List<ContentFinder.Flags> { ContentFinder.Flags.All };
        // Each retry re-parses the page, so it runs only when it can change the outcome.
        if (overrides?.ContentSelector is null)
        {
            // A short result that already holds the page's dominant prose is a short article (a one-paragraph post beside
            // a longer "About the author"), not a miss: no retry then.
            if (best.BodyChars < ExtractionThresholds.MinExtractedChars && !CoversDominantProse(best))
            {
                if (best.StrippedUnlikely > 0)
                {
                    var relaxed = Attempt(Parse(html), metadata, pageUrl, context, ContentFinder.Flags.All & ~ContentFinder.Flags.StripUnlikely);
                    tried.Add(ContentFinder.Flags.All & ~ContentFinder.Flags.StripUnlikely);
                    if (relaxed.BodyChars > best.BodyChars) best = relaxed;
                }
                if (best.BodyChars < ExtractionThresholds.MinExtractedChars && best.PageProseChars > best.BodyChars * 1.5)
                    best = TakeBaselineIfLonger(best, Baseline(Parse(html), metadata, overrides, context?.Boilerplate));
            }
            // 4. Sanity check: a tiny result, or one far shorter than the page's dominant prose, is retried with the
            // rules loosened one at a time (Readability's flags), and the longest result is kept.
            if (IsImplausible(best))
            {
                foreach (var flags in LoosenedFlags)
                {
                    if (tried.Contains(flags)) continue;
                    tried.Add(flags);
                    var retry = Attempt(Parse(html), metadata, pageUrl, context, flags);
                    if (retry.BodyChars > best.BodyChars * 1.2) best = retry with { DominantProse = Math.Max(best.DominantProse, retry.DominantProse) };
                    if (!IsImplausible(best)) break;
                }
                if (IsImplausible(best)) best = TakeBaselineIfLonger(best, Baseline(Parse(html), metadata, overrides, context?.Boilerplate));
            }
        }

        // 3. Cross-page memory learns from this page (after the decision, so a page never vouches for itself).
        if (context?.Boilerplate is { } memory && best.Fingerprints.Count > 0)
            memory.Observe(metadata.CanonicalUrl ?? pageUrl?.ToString() ?? Fingerprint.Of(string.Join('\n', best.Blocks)), best.Fingerprints);

        var blocks = best.Blocks.ConvertAll(NodeRules.ToNfc);
        return new ExtractedArticle
        {
            Title = Nfc(metadata.Title),
            Lead = Nfc(best.Lead),
            PublishedAt = metadata.PublishedAt,
            Author = Nfc(metadata.Author ?? best.SignatureAuthor),
            SourceAttribution = Nfc(best.Attribution),
            Category = Nfc(metadata.Category is { } c ? NodeRules.Collapse(c) : null),
            CanonicalUrl = metadata.CanonicalUrl,
            Language = metadata.Language,
            Images = best.Images,
            Blocks = blocks,
            Truncated = truncated,
            BlocksTotal = best.BlocksTotal,
            BlocksDropped = best.BlocksDropped,
            BlocksDroppedByMemory = best.BlocksDroppedByMemory,
            BodyElementIndex = best.BodyElementIndex,
        };
    }

    private static readonly ContentFinder.Flags[] LoosenedFlags =
    [
        ContentFinder.Flags.All & ~ContentFinder.Flags.StripUnlikely,
        ContentFinder.Flags.All & ~ContentFinder.Flags.WeightClasses,
        ContentFinder.Flags.All & ~ContentFinder.Flags.RemoveChrome,
        ContentFinder.Flags.None,
    ];

    private static bool CoversDominantProse(AttemptResult r) =>
        r.DominantProse >= ExtractionThresholds.MinScoredParagraphChars * 4 && r.BodyChars >= r.DominantProse * 0.8;

    private static bool IsImplausible(AttemptResult r)
    {
        if (r.DominantProse < ExtractionThresholds.MinScoredParagraphChars * 4) return false; // nothing better on the page
        return r.BodyChars < r.DominantProse * ExtractionThresholds.DominantProseShare || CountWords(r.Blocks) < ExtractionThresholds.TinyBodyWords;
    }

    private static int CountWords(List<string> blocks)
    {
        var words = 0;
        foreach (var b in blocks)
        {
            var inWord = false;
            foreach (var ch in b)
            {
                var letter = char.IsLetterOrDigit(ch);
                if (letter && !inWord) words++;
                inWord = letter;
            }
            if (words >= ExtractionThresholds.TinyBodyWords) return words;
        }
        return words;
    }

    private static AttemptResult TakeBaselineIfLonger(AttemptResult best, (List<string> Blocks, int BodyChars) baseline) =>
        baseline.BodyChars > best.BodyChars * 1.5 ? best with { Blocks = baseline.Blocks, BodyChars = baseline.BodyChars, BodyElementIndex = null } : best;

    private static string? Nfc(string? s) => s is null ? null : NodeRules.ToNfc(s);

    // Creating a parser builds its browsing context (a service container): a fifth of a small page's parse time. One
    // parser per thread, reused; each ParseDocument still makes a new document.
    [ThreadStatic] private static HtmlParser? t_parser;

    internal static IHtmlDocument Parse(string html)
    {
        var parser = t_parser ??= NewParser();
        var lent = LendSourceBuffer(html.Length);
        try
        {
            return parser.ParseDocument(html);
        }
        finally
        {
            if (lent is not null) TakeBackIfLeft(lent);
        }
    }

    private static HtmlParser NewParser() => new(ParserOptions, new ParserContext(BrowsingContext.New(ParserConfiguration)));

    // AngleSharp's tokenizer rents a buffer of the page's length from ArrayPool<char>.Shared and never returns it (the
    // parser does not dispose its tree builder), so every parse allocated a new one: 32 KB for a 10,000-character page,
    // a quarter of the parse's allocation, and a large-object-heap array above 42,500 characters. Each thread keeps one
    // buffer per pool size and returns it to the pool just before it parses: the tokenizer's rent, the first of the
    // parse, takes it back from the thread's slot. The finished document holds strings, never the buffer (every page of
    // the three sample sets, parsed and then overwritten by two more parses in its buffer, serialises as a fresh parse).
    // Only when a probe at start-up sees the tokenizer take the lent buffer at the page's own length (at and just past
    // a size boundary): a buffer it left in the pool would be lent again, and the pool would hold it twice.
    [ThreadStatic] private static char[]?[]? t_sourceBuffers;
    private const int MaxLentBufferLog2 = 18; // buffers up to 256 K characters (512 KB): at most 1 MB a thread

    /// <summary>The buffer lent to the pool for this parse, or null.</summary>
    private static char[]? LendSourceBuffer(int length)
    {
        if (!TokenizerTakesLentBuffer) return null;
        var log2 = BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)Math.Max(length, 16)));
        if (log2 > MaxLentBufferLog2) return null;
        var buffers = t_sourceBuffers ??= new char[]?[MaxLentBufferLog2 + 1];
        var lent = buffers[log2] ??= new char[1 << log2];
        ArrayPool<char>.Shared.Return(lent);
        return lent;
    }

    /// <summary>
    /// After every parse the pool must not hold the lent buffer: this thread lends it again, and a buffer in the pool
    /// twice would be handed to two renters anywhere in the process. A parse that did not take it (an empty page rents
    /// nothing; a parse that failed before its rent) left it in this thread's slot, where a rent of its size finds it
    /// first: taken back, it stays this thread's. Otherwise the rent gets another buffer, which goes straight back.
    /// </summary>
    private static void TakeBackIfLeft(char[] lent)
    {
        var rented = ArrayPool<char>.Shared.Rent(lent.Length);
        if (!ReferenceEquals(rented, lent)) ArrayPool<char>.Shared.Return(rented);
    }

    private static bool ProbeLentBuffer(int length)
    {
        var lent = new char[BitOperations.RoundUpToPowerOf2((uint)length)];
        ArrayPool<char>.Shared.Return(lent);
        NewParser().ParseDocument("<p>" + new string('x', length - 3));
        var next = ArrayPool<char>.Shared.Rent(length);
        ArrayPool<char>.Shared.Return(next);
        return !ReferenceEquals(next, lent);
    }

    // AngleSharp's default services without the attribute observer: it asks the context for its observers on every
    // element that has attributes and resolves each <img> source to a URL while parsing (a sixth of a small page's
    // parse). Nothing here reads what it maintains (image sources, class lists, link relations): attributes are read
    // as written.
    private static readonly IConfiguration ParserConfiguration =
        new Configuration(Configuration.Default.Services.Where(s => s is not IAttributeObserver)
            .Select(s => s is IElementFactory<Document, HtmlElement> html ? new ParserElementFactory(html) : s).ToArray());

    // After ParserOptions and ParserConfiguration: static fields are initialised in the order they are written.
    private static readonly bool TokenizerTakesLentBuffer = ProbeLentBuffer(1024) && ProbeLentBuffer(1025);

    private sealed record AttemptResult(List<string> Blocks, int BodyChars, string? Lead, string? Attribution, string? SignatureAuthor,
        List<ArticleImage> Images, List<string> Fingerprints)
    {
        /// <summary>Elements the unlikely-candidate pass removed.</summary>
        public int StrippedUnlikely { get; init; }
        /// <summary>Non-link text of the cleaned page: the most any retry could find.</summary>
        public int PageProseChars { get; init; }
        /// <summary>Prose of the page's largest paragraph cluster (ContentFinder.FindContent).</summary>
        public int DominantProse { get; init; }
        public int BlocksTotal { get; init; }
        public int BlocksDropped { get; init; }
        public int BlocksDroppedByMemory { get; init; }
        /// <summary>Document-order position of the body element in the untouched page (<see cref="ExtractedArticle.BodyElementIndex"/>).</summary>
        public int? BodyElementIndex { get; init; }
    }

    /// <param name="order">The document's elements in document order before any cleanup (<c>document.All</c>); a retry on a
    /// fresh parse passes none and gets its own.</param>
    private static AttemptResult Attempt(IHtmlDocument document, PageMetadata metadata, Uri? pageUrl, ExtractionContext? context, ContentFinder.Flags flags,
        List<IElement>? order = null)
    {
        var empty = new AttemptResult([], 0, null, null, null, [], []);
        if (document.Body is not { } body) return empty;
        var overrides = context?.Overrides;
        // Positions before cleanup removes anything: a fresh parse of the same page has the same order. A list searched
        // once at the end, not a dictionary filled for every element.
        order ??= NodeRules.ElementsInOrder(document.DocumentElement);

        // a. Prepare: drop what never carries text, then every related-articles block, then unlikely candidates.
        var stats = ContentFinder.RemoveNonContent(document, overrides, (flags & ContentFinder.Flags.RemoveChrome) != 0, order.Count);
        var pageProse = stats[body].TextChars - stats[body].LinkChars;
        ContentFinder.RemoveRelatedLists(body, stats);
        var stripped = (flags & ContentFinder.Flags.StripUnlikely) != 0 ? ContentFinder.RemoveUnlikely(body, stats) : 0;

        // b. Find the content: the override selector, else scoring.
        List<IElement> roots = [];
        var dominantProse = 0;
        if (overrides?.ContentSelector is { Length: > 0 } selector)
        {
            try { if (document.QuerySelector(selector) is { } chosen) roots.Add(chosen); }
            catch (Exception) { /* invalid selector: fall back to scoring */ }
        }
        if (roots.Count == 0) roots = ContentFinder.FindContent(body, stats, flags, out dominantProse);
        if (roots.Count == 0) roots.Add(body);

        // c. Images and captions leave the content before its text is written.
        var images = ImageCollector.Collect(roots, pageUrl);

        // d. Lead (sapo) printed apart from the body container.
        var leadElement = FindLead(roots[0], metadata);
        var blocks = BlockWriter.Write(leadElement is null ? roots : roots.Prepend(leadElement));

        // e. Block rules.
        var outcome = BlockRules.Apply(blocks, metadata, context?.Boilerplate, leadElement);
        var chars = outcome.Blocks.Sum(b => b.Length);
        // Several roots are siblings of one container, which then stands for the body.
        var bodyElement = roots.Count == 1 || roots.Any(r => r.ParentElement != roots[0].ParentElement) ? roots[0] : roots[0].ParentElement ?? roots[0];
        return new AttemptResult(outcome.Blocks, chars, outcome.Lead, outcome.Attribution, outcome.SignatureAuthor, images, outcome.Fingerprints)
        {
            BodyElementIndex = IndexOf(order, bodyElement),
            StrippedUnlikely = stripped,
            PageProseChars = pageProse,
            DominantProse = dominantProse,
            BlocksTotal = blocks.Count,
            BlocksDropped = blocks.Count - outcome.Blocks.Count,
            BlocksDroppedByMemory = outcome.DroppedByMemory,
        };
    }

    private static int? IndexOf(List<IElement> order, IElement element)
    {
        for (var i = 0; i < order.Count; i++)
            if (ReferenceEquals(order[i], element)) return i;
        return null;
    }

    /// <summary>A sapo/lead/summary element before the content and within its article container.</summary>
    private static IElement? FindLead(IElement root, PageMetadata metadata)
    {
        if (HasLeadHint(root)) return null;
        var rootAncestors = new HashSet<IElement>(ReferenceEqualityComparer.Instance);
        for (var a = root.ParentElement; a is not null; a = a.ParentElement) rootAncestors.Add(a);
        var ancestor = root.ParentElement;
        for (var level = 0; ancestor is not null && level < 3 && ancestor.LocalName is not ("body" or "html"); level++, ancestor = ancestor.ParentElement)
        {
            // Lazily: the walk stops at the content root.
            foreach (var e in NodeRules.Descendants(ancestor))
            {
                if (ReferenceEquals(e, root)) break;
                if (rootAncestors.Contains(e)) continue;
                if (!HasLeadHint(e)) continue;
                var text = NodeRules.CollapsedText(e);
                if (text.Length is < 30 or > 1500 || text == metadata.Title) continue;
                var links = NodeRules.Descendants(e).Where(a => a.LocalName == "a").Sum(NodeRules.TextLengthOf);
                if (links > text.Length / 2) continue;
                return e;
            }
        }
        return null;
    }

    internal static bool HasLeadHint(IElement e)
    {
        var hints = NodeRules.ClassAndId(e);
        return hints.Length > 0 && BoilerplateVocabulary.LeadClass.IsMatch(hints) && !hints.Contains("meta", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Baseline rescue: the prose paragraphs of the cleaned page (trafilatura's baseline()).</summary>
    private static (List<string> Blocks, int BodyChars) Baseline(IHtmlDocument document, PageMetadata metadata, Sources.ExtractionOverrides? overrides, IBoilerplateMemory? memory)
    {
        if (document.Body is not { } body) return ([], 0);
        ContentFinder.RemoveRelatedLists(body, ContentFinder.RemoveNonContent(document, overrides));
        var paragraphs = NodeRules.Descendants(body).Where(p => p.LocalName is "p" or "pre" or "blockquote" && !HasAncestorParagraph(p)).ToList();
        var blocks = BlockWriter.Write(paragraphs);
        var outcome = BlockRules.Apply(blocks, metadata, memory, null);
        var kept = outcome.Blocks.Where(b => b.Length >= 30).ToList();
        return (kept, kept.Sum(b => b.Length));
    }

    private static bool HasAncestorParagraph(IElement e)
    {
        for (var a = e.ParentElement; a is not null; a = a.ParentElement)
            if (a.LocalName is "p" or "pre" or "blockquote") return true;
        return false;
    }

    // Control characters other than tab, line feed, form feed and carriage return; the replacement character is counted
    // apart, so that this set stays ASCII (an ASCII set is searched fully vectorised whatever the text holds; with
    // U+FFFD in it, every Vietnamese letter went to a slower per-character check).
    private static readonly System.Buffers.SearchValues<char> ControlChars = System.Buffers.SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000B\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F");

    private static bool LooksBinary(string html)
    {
        var head = html.AsSpan(0, Math.Min(html.Length, 8192));
        var n = head.Length;
        var bad = head.Count('\uFFFD');
        // A vectorised search from one bad character to the next: a text page has none.
        for (var i = head.IndexOfAny(ControlChars); i >= 0; i = head.IndexOfAny(ControlChars))
        {
            bad++;
            head = head[(i + 1)..];
        }
        if (bad > n * ExtractionThresholds.MaxGarbageShare) return true;
        return html.AsSpan(0, Math.Min(html.Length, 65536)).IndexOf('<') < 0;
    }
}
