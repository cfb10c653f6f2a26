using System.Text.RegularExpressions;

namespace FeedIngest.Core.Extraction;

/// <summary>
/// Words that mark what is not the article, grouped by concept (as trafilatura's xpaths.py does).
/// Ordered lists on purpose: the composed patterns are deterministic. No site-specific entries:
/// every token here is shared by a family of portals (CMS conventions, Vietnamese and English labels).
/// </summary>
internal static partial class BoilerplateVocabulary
{
    /// <summary>Class/id tokens of page furniture removed before scoring (Readability's "unlikely candidates" plus the
    /// names Vietnamese CMSs give their related/other-news boxes, share bars and tag lists).</summary>
    private static readonly string[] UnlikelyClassTokens =
    [
        // navigation and page chrome
        "menu", "navbar", "breadcrumb", "pagination", "pager", "banner", "masthead", "footer", "header", "topbar",
        "sidebar", "widget", "skyscraper", "copyright",
        // social, share, print, font-size tools
        "social", "share", "sharing", "print", "font-size", "fontsize", "toolbar", "tools", "rating", "vote",
        // comments and community
        "comment", "disqus", "replies", "community", "binh-luan", "binhluan", "y-kien", "ykien", "feedback",
        // related / other news (English and Vietnamese slugs)
        "related", "relate", "recommend", "more-stories", "most-read", "most-popular", "popular", "trending",
        "other-news", "othernews", "tin-khac", "tinkhac", "lien-quan", "lienquan", "cung-chuyen-muc", "must-see",
        "xem-them", "xemthem", "doc-them", "docthem", "doc-nhieu", "docnhieu", "tin-moi", "newest",
        // tags, ads, popups
        "tags", "tag-list", "keyword", "tu-khoa", "advert", "sponsor", "promo", "popup", "modal", "newsletter",
        "subscribe", "gdpr", "cookie", "rss", "shoutbox", "supplemental", "outbrain", "taboola",
    ];

    /// <summary>Class/id tokens that keep an element even when an unlikely token matches (Readability's okMaybe).</summary>
    private static readonly string[] MaybeContentClassTokens =
        ["article", "body", "content", "main", "detail", "post", "story", "entry", "noi-dung", "noidung"];

    /// <summary>Positive and negative class weights for scoring (Readability's ±25), English and Vietnamese slugs.</summary>
    private static readonly string[] PositiveClassTokens =
        ["article", "body", "content", "entry", "hentry", "main", "page", "post", "text", "blog", "story", "detail",
         "noi-dung", "noidung", "chi-tiet", "chitiet", "fck", "cms"];

    private static readonly string[] NegativeClassTokens =
        ["hidden", "banner", "combx", "comment", "com-", "contact", "footer", "footnote", "masthead", "media", "meta",
         "outbrain", "promo", "related", "scroll", "share", "shoutbox", "sidebar", "skyscraper", "sponsor", "shopping",
         "tags", "tool", "widget", "other", "menu", "nav", "caption", "author", "byline", "date", "tin-khac", "lien-quan"];

    /// <summary>Labels that open a list of other articles; the label and its items are dropped together.</summary>
    private static readonly string[] RelatedListLabels =
    [
        // Vietnamese portals
        "tin khác", "các tin khác", "tin liên quan", "bài liên quan", "bài viết liên quan", "tin cùng chuyên mục",
        "bài cùng chuyên mục", "tin cùng loại", "có thể bạn quan tâm", "bạn có thể quan tâm", "nên xem", "đọc nhiều",
        "đọc nhiều nhất", "xem nhiều", "xem nhiều nhất", "đọc thêm", "xem thêm", "tin mới", "tin mới nhất", "tin mới hơn",
        "tin cũ hơn", "những tin mới hơn", "những tin cũ hơn", "các tin mới hơn", "các tin cũ hơn", "tin nổi bật",
        "tin đã đưa", "các tin đã đưa", "tin bài khác", "tin tiêu điểm", "tin đọc nhiều", "tin xem nhiều", "bài đọc nhiều",
        "tin bài liên quan", "bài viết khác", "các bài viết khác", "tin tức khác", "các tin tức khác", "bài viết cùng chuyên mục",
        "cùng chuyên mục", "tin cùng danh mục", "các tin mới", "thông tin khác", "tin đọc nhiều nhất", "xem tiếp", "có thể bạn muốn đọc",
        // English news sites
        "related", "related articles", "related stories", "related news", "related posts", "read more", "more stories",
        "more from", "most read", "most popular", "recommended", "you may also like", "you might also like",
        "trending now", "read next", "top stories", "latest news",
    ];

    /// <summary>Lines that open with a counter, a date label or a tag list: page furniture wherever they appear.</summary>
    [GeneratedRegex(@"^(?:lượt (?:xem|đọc|truy cập|thích)|số lượt|số lần xem|đã xem\s*:|tổng lượt|kích thước chữ|font chữ|ngày đăng|ngày cập nhật|ngày xuất bản|cập nhật(?: lúc| ngày)?\s*:|đăng lúc|đăng ngày|cỡ chữ|từ khóa|từ khoá|tags?\s*:|theo dõi .{0,60}(?:google news|zalo|facebook|youtube)|tải ứng dụng|advertisement\b|quảng cáo\s*$)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex FurnitureLine();

    /// <summary>Blog furniture in English: "Posted on …", "Filed under …", "Tagged …", "4 Comments", "Leave a comment".</summary>
    [GeneratedRegex(@"^(?:posted (?:on|in|by)\b|filed (?:under|in)\b|tagged\s|tags?\s*:|categories\s*:|\d+ (?:comments?|responses?|thoughts on)\b|no comments\b|leave a (?:comment|reply)\b|share (?:this|on)\b)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex EnglishFurnitureLine();

    /// <summary>A date and time at the start of a line: "Thứ Tư, 27/01/2021 - 16:20 ", "Ngày 15/03/2023 | 09:10 ", "16:20 27/01/2021 ".</summary>
    [GeneratedRegex(@"^(?:(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|2|3|4|5|6|7)|chủ\s+nhật)\s*,?\s*)?(?:ngày\s+)?(?:\d{1,2}[:h]\d{2}\s*[|,\-–]?\s*)?\d{1,2}/\d{1,2}/\d{4}(?:\s*[|,\-–]?\s*(?:lúc\s+)?\d{1,2}[:h]\d{2}(?::\d{2})?)?(?:\s*\(?(?:GMT|UTC)\s*[+\-]\s*\d{1,2}\)?)?\s*[|,\-–]?\s+",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex LeadingDateTime();

    /// <summary>Words of share/print/font/comment bars. A line made of nothing else is a toolbar.</summary>
    private static readonly string[] ToolbarWords =
    [
        // longest first: "gửi bình luận" must go before "bình luận"
        "gửi cho bạn bè", "sao chép liên kết", "chia sẻ bài viết", "in bài viết", "đánh giá bài viết", "xem bản in", "phiên bản in",
        "bình chọn", "gửi tin", "về trang trước", "gửi bình luận", "viết bình luận", "ý kiến bạn đọc", "lên đầu trang",
        "về đầu trang", "gửi ý kiến", "đầu trang", "gửi email", "bình luận", "chia sẻ", "quay lại", "trở về", "gửi bài", "in bài", "bản in",
        "lưu bài", "cỡ chữ", "copy link", "facebook", "twitter", "bookmark", "comments", "comment", "zalo", "email", "share", "print",
        "tweet", "like", "thích", "lưu", "in", "a-", "a+",
    ];

    private static readonly HashSet<string> ToolbarWordSet = BuildToolbarWordSet();

    private static HashSet<string> BuildToolbarWordSet()
    {
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var phrase in ToolbarWords)
            foreach (var w in phrase.Split([' ', '-', '+'], StringSplitOptions.RemoveEmptyEntries)) set.Add(w);
        // Counters and separators that toolbars print: "Bình luận (0)", "Like 12".
        return set;
    }

    private static readonly Regex ToolbarWord = new(
        @"(?<![\p{L}\p{N}])(?:" + string.Join('|', ToolbarWords.Select(Regex.Escape)) + @")(?![\p{L}\p{N}])",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);

    /// <summary>True for "In bài | Gửi email | Lên đầu trang", "Chia sẻ Facebook Zalo", "Bình luận (0)".</summary>
    internal static bool IsToolbarLine(string text)
    {
        if (text.Length > 80) return false;
        // Fast refusal without the regex: a word (not a number) that no toolbar phrase contains.
        var lookup = ToolbarWordSet.GetAlternateLookup<ReadOnlySpan<char>>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && char.IsLetterOrDigit(text[i])) { if (start < 0) start = i; continue; }
            if (start < 0) continue;
            var word = text.AsSpan(start, i - start);
            start = -1;
            if (word.ContainsAnyExceptInRange('0', '9') && !lookup.Contains(word)) return false;
        }
        var rest = ToolbarWord.Replace(text, " ");
        if (rest.Length == text.Length) return false;
        foreach (var ch in rest) if (char.IsLetter(ch)) return false;
        return true;
    }

    /// <summary>"&gt;&gt; Xem thêm: …", "Tin liên quan: …", "Read more: …": link lines inside the body.</summary>
    [GeneratedRegex(@"^(?:[>»›\-–•\s]+)?(?:xem thêm|đọc thêm|tin liên quan|bài liên quan|mời xem|xem tiếp|read more|see also|related|also read)\s*[:>»\-–]",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex InlineRelatedLine();

    /// <summary>Source attribution at the end of a body: "(Nguồn: Báo …)", "Nguồn tin: …", "Nguồn: …".</summary>
    [GeneratedRegex(@"^\(?\s*(?:nguồn(?: tin| ảnh)?|source)\s*:\s*(?<src>[^()]{2,120}?)\s*\)?\.?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex SourceAttribution();

    /// <summary>"Theo Báo Hà Nội Mới" as a closing line: a short attribution, no clause after it.</summary>
    [GeneratedRegex(@"^\(?\s*[Tt]heo\s+(?<src>[\p{Lu}][^,;:.()]{1,80}?)\s*\)?\.?$", RegexOptions.CultureInvariant)]
    internal static partial Regex TheoAttribution();

    /// <summary>A photo credit on its own line: "Ảnh: Minh Ngọc", "(Ảnh minh họa)", "Photo: Reuters".</summary>
    [GeneratedRegex(@"^\(?\s*(?:ảnh|ảnh minh họa|ảnh minh hoạ|nguồn ảnh|photo|image)\s*(?::\s*[^.!?]{1,60})?\s*\)?\.?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex PhotoCredit();

    /// <summary>"Minh Ngọc (Theo Báo Kinh tế &amp; Đô thị)": a signature and its source on one closing line.</summary>
    [GeneratedRegex(@"^(?<name>[\p{Lu}][\p{L}\s\.\-]{0,40}?)\s*\(\s*(?:[Tt]heo|[Nn]guồn\s*:?)\s*(?<src>[^()]{2,100}?)\s*\)\.?$", RegexOptions.CultureInvariant)]
    internal static partial Regex SignatureWithSource();

    /// <summary>"Tác giả: …", "Bài và ảnh: …", "By …": explicit bylines.</summary>
    [GeneratedRegex(@"^(?:tác giả|bài(?: và ảnh)?|bài, ảnh|người viết|phóng viên|written by|by)\s*[:\-]?\s*(?<name>[\p{L}][\p{L}\s\.\-]{1,60})$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex BylineLine();

    // The long groups are asked about the same class names again and again (a page repeats them, the passes ask about the
    // same elements): their answers are remembered (HintPattern).
    internal static HintPattern UnlikelyCandidates { get; } = new(Compose(UnlikelyClassTokens));
    internal static HintPattern MaybeCandidates { get; } = new(Compose(MaybeContentClassTokens));
    internal static Regex PositiveClass { get; } = Compose(PositiveClassTokens);
    internal static Regex NegativeClass { get; } = Compose(NegativeClassTokens);

    /// <summary>Class/id hints of a lead paragraph (sapo) that sits apart from the body container.</summary>
    internal static HintPattern LeadClass { get; } = new(Compose(["sapo", "lead", "summary", "description", "excerpt", "intro", "chapeau", "standfirst", "tom-tat", "tomtat", "tom_tat", "mota", "mo-ta", "teaser", "subtitle", "dek"]));

    /// <summary>Class/id hints of a caption.</summary>
    internal static Regex CaptionClass { get; } = Compose(["caption", "figcaption", "image-desc", "img-desc", "photo-desc", "chu-thich", "chuthich", "expnote", "desc-image"]);

    /// <summary>Class/id hints of a byline or signature.</summary>
    internal static Regex AuthorClass { get; } = Compose(["author", "byline", "tac-gia", "tacgia", "signature", "writer", "reporter", "butdanh"]);

    private static readonly HashSet<string> RelatedLabelSet = new(RelatedListLabels, StringComparer.OrdinalIgnoreCase);

    /// <summary>True when the whole (short) text is a related-list label such as "Tin khác" or "Có thể bạn quan tâm:".</summary>
    internal static bool IsRelatedListLabel(string text)
    {
        if (text.Length is 0 or > 40) return false;
        var t = text.Trim().Trim(':', '»', '>', '›', '.', '•', '|', '-', '–', ' ').Trim();
        return RelatedLabelSet.Contains(t);
    }

    /// <summary>Joins tokens into one case-insensitive pattern; refuses an empty group (it would match everything).</summary>
    private static Regex Compose(IReadOnlyCollection<string> tokens)
    {
        if (tokens.Count == 0) throw new ArgumentException("empty token group would match everything", nameof(tokens));
        return new Regex(string.Join('|', tokens.Select(Regex.Escape)), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);
    }
}

/// <summary>
/// A class/id pattern whose answers are remembered per hint string, on each thread: a match of the long alternations
/// costs 100–200 ns, a lookup a tenth of that. Same answers as the regex; the memory is dropped when it grows large.
/// </summary>
internal sealed class HintPattern
{
    private const int MaxRemembered = 4096;
    private static int s_count;
    // One table per pattern and thread, in a plain thread-static array (a ThreadLocal<T> goes through a slower
    // runtime helper on every access).
    [ThreadStatic] private static Dictionary<string, bool>?[]? t_answers;
    private readonly Regex _regex;
    private readonly int _slot;

    public HintPattern(Regex regex)
    {
        _regex = regex;
        _slot = Interlocked.Increment(ref s_count) - 1;
    }

    public bool IsMatch(string hints)
    {
        var tables = t_answers;
        if (tables is null || tables.Length <= _slot) t_answers = tables = Grow(tables, _slot + 1);
        var answers = tables[_slot] ??= new Dictionary<string, bool>(StringComparer.Ordinal);
        if (answers.TryGetValue(hints, out var known)) return known;
        if (answers.Count >= MaxRemembered) answers.Clear();
        var match = _regex.IsMatch(hints);
        answers[hints] = match;
        return match;
    }

    private static Dictionary<string, bool>?[] Grow(Dictionary<string, bool>?[]? tables, int length)
    {
        var grown = new Dictionary<string, bool>?[Math.Max(length, 4)];
        tables?.CopyTo(grown, 0);
        return grown;
    }
}
