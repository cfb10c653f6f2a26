using System.Text.RegularExpressions;
using AngleSharp.Dom;

namespace FeedIngest.Core.Extraction;

/// <summary>
/// Images of the article with their captions, taken out of the content so captions become metadata, not body:
/// &lt;figure&gt;/&lt;figcaption&gt;, caption tables (an image row and a text row, as CMS editors insert them),
/// caption classes ("caption", "PhotoCMS_Caption", "image-desc"), &lt;p class="Image"&gt;, and an italic line under an image.
/// </summary>
internal static partial class ImageCollector
{
    [GeneratedRegex(@"(?:^|\s)(?:image|img|photo|pic|picture|anh|hinh)(?:\s|$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ImageClassToken();

    private const int MaxCaptionChars = 600;

    public static List<ArticleImage> Collect(IReadOnlyList<IElement> roots, Uri? pageUrl)
    {
        var images = new List<ArticleImage>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in roots)
        {
            var order = NodeRules.ElementsInOrder(root);
            var removed = new HashSet<IElement>(ReferenceEqualityComparer.Instance);
            foreach (var e in order)
            {
                if (IsUnder(e, removed)) continue;
                switch (e.LocalName)
                {
                    case "figure":
                        {
                            var cap = NodeRules.FirstDescendant(e, "figcaption");
                            var captionText = cap is null ? null : Clean(cap);
                            var imgs = e.GetElementsByTagName("img");
                            if (imgs.Length == 0 && captionText is not null) AttachCaption(images, captionText);
                            foreach (var img in imgs) Add(images, seen, img, captionText, pageUrl);
                            Remove(e, removed);
                            break;
                        }
                    case "table" when IsCaptionTable(e):
                        {
                            var captionText = Clean(e);
                            foreach (var img in e.GetElementsByTagName("img")) Add(images, seen, img, captionText, pageUrl);
                            Remove(e, removed);
                            break;
                        }
                    case "img":
                        {
                            var caption = CaptionAfter(e);
                            Add(images, seen, e, caption is null ? null : Clean(caption), pageUrl);
                            if (caption is not null) Remove(caption, removed);
                            break;
                        }
                    default:
                        if (IsCaptionElement(e))
                        {
                            var t = Clean(e);
                            foreach (var img in e.GetElementsByTagName("img")) Add(images, seen, img, t, pageUrl);
                            if (t is not null && NodeRules.FirstDescendant(e, "img") is null) AttachCaption(images, t);
                            Remove(e, removed);
                        }
                        break;
                }
            }
        }
        return images;
    }

    // Pre-order walk: an element is under a removed one when its parent was removed or was itself under one.
    // The parent pointer survives removal of an ancestor, so marking descendants as they come keeps this O(1).
    private static bool IsUnder(IElement e, HashSet<IElement> removed)
    {
        if (removed.Count == 0) return false;
        if (e.ParentElement is { } p && removed.Contains(p)) { removed.Add(e); return true; }
        return removed.Contains(e);
    }

    private static void Remove(IElement e, HashSet<IElement> removed)
    {
        removed.Add(e);
        e.Remove();
    }

    private static string? Clean(IElement e)
    {
        var t = NodeRules.CollapsedText(e);
        return t.Length == 0 ? null : t;
    }

    private static void AttachCaption(List<ArticleImage> images, string caption)
    {
        if (images.Count > 0 && images[^1].Caption is null) images[^1] = images[^1] with { Caption = caption };
    }

    private static void Add(List<ArticleImage> images, HashSet<string> seen, IElement img, string? caption, Uri? pageUrl)
    {
        var src = ImageSource(img, pageUrl);
        if (src is null || !seen.Add(src)) return;
        if (caption is { Length: > MaxCaptionChars }) caption = null;
        images.Add(new ArticleImage(src, caption));
    }

    internal static string? ImageSource(IElement img, Uri? pageUrl)
    {
        foreach (var attr in new[] { "data-src", "data-original", "data-lazy-src", "data-srcset", "src" })
        {
            var v = img.GetAttribute(attr);
            if (string.IsNullOrWhiteSpace(v)) continue;
            v = v.Trim();
            if (attr == "data-srcset") v = v.Split(',')[0].Trim().Split(' ')[0];
            if (v.StartsWith("data:", StringComparison.OrdinalIgnoreCase) || v.StartsWith("about:", StringComparison.OrdinalIgnoreCase)) continue;
            return MetadataReader.Resolve(pageUrl, v);
        }
        return null;
    }

    /// <summary>A table whose cells are an image and short text: the way CMS editors caption photos.</summary>
    private static bool IsCaptionTable(IElement table)
    {
        if (NodeRules.FirstDescendant(table, "img") is null) return false;
        if (NodeRules.FirstDescendant(table, "table") is not null) return false;
        return NodeRules.NonSpaceCharsOf(table) <= MaxCaptionChars;
    }

    private static bool IsCaptionElement(IElement e)
    {
        if (e.LocalName is "body" or "html" or "article" or "main") return false;
        var hints = NodeRules.ClassAndId(e);
        if (hints.Length == 0) return false;
        if (!BoilerplateVocabulary.CaptionClass.IsMatch(hints) && !(e.LocalName is "p" or "div" or "span" && ImageClassToken().IsMatch(hints) && NodeRules.FirstDescendant(e, "img") is null))
            return false;
        return NodeRules.NonSpaceCharsOf(e) <= MaxCaptionChars;
    }

    /// <summary>The line right under an image-only block when it is short and wholly italic (or centred): its caption.</summary>
    private static IElement? CaptionAfter(IElement img)
    {
        var holder = img;
        while (holder.ParentElement is { } p && p.LocalName is "a" or "span" or "p" or "div" or "center" or "strong" or "b" && NodeRules.NonSpaceCharsOf(p) == 0)
            holder = p;
        var next = holder.NextElementSibling;
        while (next is not null && next.LocalName == "br") next = next.NextElementSibling;
        if (next is null || NodeRules.FirstDescendant(next, "img") is not null) return null;
        var text = NodeRules.CollapsedText(next);
        if (text.Length is 0 or > MaxCaptionChars) return null;
        if (next.LocalName is "figcaption" or "em" or "i") return next;
        if (next.LocalName is not ("p" or "div" or "span")) return null;
        var italic = NodeRules.Descendants(next).Where(x => x.LocalName is "em" or "i").Sum(NodeRules.NonSpaceCharsOf);
        if (italic >= NodeRules.NonSpaceChars(text) * 0.95) return next;
        // A short centred line right under a centred picture is its caption on CMSs that do not italicise captions,
        // unless it opens a run of centred lines (verse, programme notes): those are body.
        var after = next.NextElementSibling;
        var before = holder.PreviousElementSibling;
        // A quotation under a picture (a testimonial, a pull quote) is speech, not a caption.
        if (text[0] is '“' or '"' or '«' or '„' || NodeRules.HasAncestorTag(next, "blockquote", 4)) return null;
        return text.Length <= 200 && IsCentered(next) && IsCentered(holder)
               && (after is null || !IsCentered(after)) && (before is null || !IsCentered(before)) ? next : null;
    }

    private static bool IsCentered(IElement e)
    {
        if (e.LocalName == "center" || string.Equals(e.GetAttribute("align"), "center", StringComparison.OrdinalIgnoreCase)) return true;
        var style = e.GetAttribute("style");
        return style is not null && style.Contains("center", StringComparison.OrdinalIgnoreCase) && style.Contains("text-align", StringComparison.OrdinalIgnoreCase);
    }
}
