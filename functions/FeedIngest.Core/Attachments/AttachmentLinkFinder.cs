using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace FeedIngest.Core.Attachments;

/// <summary>
/// Finds the documents an article links to: document links in its body, and every link of a "File đính kèm" /
/// "Tài liệu" / "Văn bản" / "Tải về" block that belongs to it (inside the article's container or right after the body,
/// before the portal's related-news lists). Only links to the source's own hosts (or the page's) are kept, once each,
/// named by their anchor text.
/// </summary>
public static class AttachmentLinkFinder
{
    private static readonly string[] DocumentExtensions = [".pdf", ".doc", ".docx", ".xls", ".xlsx"];

    /// <summary>Labels of attachment blocks, compared without case and diacritics ("tai lieu" matches "Tài liệu").</summary>
    private static readonly string[] BlockLabels = ["file dinh kem", "tep dinh kem", "tai lieu dinh kem", "tai lieu", "van ban", "tai ve", "dinh kem"];

    /// <summary>Anchor texts that say what to do, not what the document is; the file name or the row's text names it instead.</summary>
    private static readonly string[] GenericAnchors = ["tai ve", "tai xuong", "download", "xem", "xem chi tiet", "tai file", "tai tep", "file", "tep"];

    /// <summary>Headings that end the article's own blocks (related news, comments).</summary>
    private static readonly string[] EndLabels = ["tin lien quan", "tin khac", "bai viet lien quan", "cac tin khac", "tin cung chuyen muc", "binh luan", "y kien ban doc"];

    private const int MaxFollowingSiblings = 6;
    private const int MaxLinks = 50;

    /// <param name="articleBody">The element the extractor chose as the article's body.</param>
    /// <param name="pageUrl">The fetched page's URL (relative links resolve against the document's base).</param>
    /// <param name="sourceHosts">The source's hosts; the page's own host is always allowed.</param>
    public static IReadOnlyList<AttachmentLink> Find(IElement articleBody, Uri pageUrl, IReadOnlyCollection<string> sourceHosts)
    {
        var hosts = new HashSet<string>(sourceHosts.Select(h => h.ToLowerInvariant()), StringComparer.Ordinal) { pageUrl.Host.ToLowerInvariant() };
        var found = new List<AttachmentLink>();
        var seen = new HashSet<string>(StringComparer.Ordinal);

        void Consider(IHtmlAnchorElement anchor, bool inAttachmentBlock)
        {
            if (found.Count >= MaxLinks) return;
            var href = anchor.GetAttribute("href");
            if (string.IsNullOrWhiteSpace(href) || href.StartsWith('#') || href.StartsWith("javascript:", StringComparison.OrdinalIgnoreCase) || href.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase)) return;
            var baseUri = Uri.TryCreate(anchor.Owner?.BaseUri, UriKind.Absolute, out var b) && b.Scheme is "http" or "https" ? b : pageUrl;
            if (!Uri.TryCreate(baseUri, href.Trim(), out var url) || url.Scheme is not ("http" or "https")) return;
            if (!hosts.Contains(url.Host.ToLowerInvariant())) return;
            if (!inAttachmentBlock && !HasDocumentExtension(url)) return;
            if (inAttachmentBlock && !HasDocumentExtension(url) && !LooksLikeDownload(url)) return;
            var key = new UriBuilder(url) { Fragment = "" }.Uri.AbsoluteUri;
            if (!seen.Add(key)) return;
            found.Add(new AttachmentLink(NameOf(anchor, url), new Uri(key)));
        }

        foreach (var anchor in articleBody.QuerySelectorAll("a[href]").OfType<IHtmlAnchorElement>())
            Consider(anchor, InsideAttachmentBlock(anchor, articleBody));

        // Blocks right after the body (portals often put "File đính kèm" below the article container).
        var scope = articleBody;
        for (var level = 0; level < 2 && scope is not null; level++, scope = scope.ParentElement)
        {
            var sibling = scope.NextElementSibling;
            for (var i = 0; i < MaxFollowingSiblings && sibling is not null; i++, sibling = sibling.NextElementSibling)
            {
                var label = LeadingLabel(sibling);
                if (EndLabels.Any(l => label.StartsWith(l, StringComparison.Ordinal))) goto done;
                if (IsAttachmentLabel(label) || sibling.QuerySelectorAll("*").Any(e => e.Children.Length == 0 && IsAttachmentLabel(Fold(e.TextContent))))
                    foreach (var anchor in sibling.QuerySelectorAll("a[href]").OfType<IHtmlAnchorElement>())
                        Consider(anchor, inAttachmentBlock: true);
            }
        }
        done:
        return found;
    }

    private static bool InsideAttachmentBlock(IElement anchor, IElement body)
    {
        for (var e = anchor.ParentElement; e is not null && e != body.ParentElement; e = e.ParentElement)
        {
            if (IsAttachmentLabel(LeadingLabel(e))) return true;
            for (var prev = e.PreviousElementSibling; prev is not null; prev = prev.PreviousElementSibling)
            {
                var label = Fold(prev.TextContent);
                if (label.Length <= 40 && IsAttachmentLabel(label)) return true;
                if (label.Length > 0) break;
            }
            if (e == body) break;
        }
        return false;
    }

    /// <summary>The folded text of an element's first non-empty text node or child: its label, if it has one.</summary>
    private static string LeadingLabel(IElement element)
    {
        foreach (var node in element.ChildNodes)
        {
            var text = Fold(node.TextContent);
            if (text.Length == 0) continue;
            return text.Length <= 40 ? text : "";
        }
        return "";
    }

    private static bool IsAttachmentLabel(string folded) =>
        folded.Length is > 0 and <= 40 && BlockLabels.Any(l => folded.StartsWith(l, StringComparison.Ordinal));

    private static bool HasDocumentExtension(Uri url) =>
        DocumentExtensions.Any(e => url.AbsolutePath.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    private static bool LooksLikeDownload(Uri url)
    {
        var s = url.PathAndQuery.ToLowerInvariant();
        return s.Contains("download", StringComparison.Ordinal) || s.Contains("tai-ve", StringComparison.Ordinal) || s.Contains("file", StringComparison.Ordinal) || s.Contains("attach", StringComparison.Ordinal) || s.Contains("tailieu", StringComparison.Ordinal) || s.Contains("vanban", StringComparison.Ordinal);
    }

    private static string NameOf(IHtmlAnchorElement anchor, Uri url)
    {
        var text = Collapse(anchor.TextContent);
        if (text.Length > 0 && !GenericAnchors.Contains(Fold(text))) return text;
        var title = Collapse(anchor.GetAttribute("title") ?? "");
        if (title.Length > 0 && !GenericAnchors.Contains(Fold(title))) return title;
        // "Quyết định 123/QĐ-UBND ... [Tải về]": the row's text without the anchor's.
        var row = anchor.Closest("li, tr, p");
        if (row is not null)
        {
            var rowText = Collapse(row.TextContent.Replace(anchor.TextContent, " ", StringComparison.Ordinal));
            if (rowText.Length is > 0 and <= 300 && !IsAttachmentLabel(Fold(rowText))) return rowText;
        }
        var file = Uri.UnescapeDataString(Path.GetFileName(url.AbsolutePath));
        return file.Length > 0 ? file : url.AbsoluteUri;
    }

    private static string Collapse(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Trim().TrimEnd(':').Trim().Normalize(NormalizationForm.FormC);

    /// <summary>Lower case, no diacritics, đ → d, spaces collapsed, trailing colon dropped.</summary>
    internal static string Fold(string s)
    {
        var decomposed = Collapse(s).ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.NonSpacingMark) continue;
            sb.Append(c == 'đ' ? 'd' : c);
        }
        return sb.ToString().TrimEnd(':', ' ');
    }
}
