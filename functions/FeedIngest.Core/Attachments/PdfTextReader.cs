using System.Globalization;
using System.Text;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Exceptions;

namespace FeedIngest.Core.Attachments;

/// <summary>
/// PDF text with PdfPig, rebuilt from letter positions: Vietnamese PDFs often draw a base letter and its diacritics as
/// separate glyphs (decomposed, sometimes out of order) or place every letter by itself with no space glyphs, so the
/// content stream's order and characters are not the text. Letters are grouped into lines by baseline, ordered by x,
/// combining marks attached to the letter they sit on, words split at real gaps, and the result put in NFC.
/// </summary>
internal static class PdfTextReader
{
    public sealed record PdfText(string Status, string? Reason, string? Text, int? Pages);

    public static PdfText Read(byte[] bytes, AttachmentOptions options)
    {
        PdfDocument document;
        try
        {
            document = PdfDocument.Open(bytes, new ParsingOptions { UseLenientParsing = true, ClipPaths = false });
        }
        catch (PdfDocumentEncryptedException e)
        {
            return new(AttachmentTextStatus.Encrypted, "password-protected PDF: " + e.Message, null, null);
        }
        catch (Exception e) when (IsParseFailure(e))
        {
            return new(AttachmentTextStatus.Broken, "unreadable PDF: " + FirstLine(e.Message), null, null);
        }

        using (document)
        {
            int pageCount;
            try
            {
                pageCount = document.NumberOfPages;
            }
            catch (Exception e) when (IsParseFailure(e))
            {
                return new(AttachmentTextStatus.Broken, "unreadable PDF page tree: " + FirstLine(e.Message), null, null);
            }
            if (document.IsEncrypted && pageCount == 0)
                return new(AttachmentTextStatus.Encrypted, "encrypted PDF without pages readable", null, pageCount);

            var text = new StringBuilder();
            var pagesWithImagesOnly = 0;
            var pagesRead = Math.Min(pageCount, options.MaxPdfPages);
            string? cut = pageCount > options.MaxPdfPages ? $"text of the first {options.MaxPdfPages} of {pageCount} pages" : null;
            for (var number = 1; number <= pagesRead; number++)
            {
                string pageText;
                try
                {
                    var page = document.GetPage(number);
                    pageText = PageText(page.Letters);
                    if (pageText.Length == 0 && page.GetImages().Any()) pagesWithImagesOnly++;
                }
                catch (Exception e) when (IsParseFailure(e))
                {
                    return new(AttachmentTextStatus.Broken, $"unreadable PDF page {number}: " + FirstLine(e.Message), null, pageCount);
                }
                if (pageText.Length == 0) continue;
                if (text.Length > 0) text.Append('\n');
                text.Append(pageText);
                if (text.Length > options.MaxTextChars)
                {
                    text.Length = options.MaxTextChars;
                    cut = $"text cut at {options.MaxTextChars} characters";
                    break;
                }
            }

            if (text.Length == 0)
            {
                return pagesWithImagesOnly > 0
                    ? new(AttachmentTextStatus.Scanned, $"no text layer: {pagesWithImagesOnly} of {pageCount} page(s) are images only (a scan; OCR is not done)", null, pageCount)
                    : new(AttachmentTextStatus.NoText, $"no text on any of {pageCount} page(s)", null, pageCount);
            }
            return new(AttachmentTextStatus.Extracted, cut, text.ToString().Normalize(NormalizationForm.FormC), pageCount);
        }
    }

    /// <summary>The page's text from its letters' positions: one line per baseline, words split at gaps.</summary>
    internal static string PageText(IReadOnlyList<Letter> letters)
    {
        var glyphs = letters.Where(l => !string.IsNullOrEmpty(l.Value)).ToList();
        if (glyphs.Count == 0) return "";

        // Lines: letters whose baselines lie within 40% of the font size of each other, top to bottom.
        var lines = new List<List<Letter>>();
        foreach (var letter in glyphs.OrderByDescending(l => l.StartBaseLine.Y).ThenBy(l => l.StartBaseLine.X))
        {
            var size = Math.Max(letter.PointSize, 1);
            var line = lines.LastOrDefault();
            if (line is not null && Math.Abs(line[0].StartBaseLine.Y - letter.StartBaseLine.Y) <= size * 0.4) line.Add(letter);
            else lines.Add([letter]);
        }

        var output = new StringBuilder();
        foreach (var line in lines)
        {
            var lineText = LineText(line);
            if (lineText.Length == 0) continue;
            if (output.Length > 0) output.Append('\n');
            output.Append(lineText);
        }
        return output.ToString();
    }

    private static string LineText(List<Letter> line)
    {
        // Base letters left to right; a combining mark joins the base letter whose box holds its centre (or the
        // nearest one to its left), whatever its place in the content stream.
        var bases = line.Where(l => !IsMark(l.Value)).OrderBy(l => l.StartBaseLine.X).ToList();
        var marks = line.Where(l => IsMark(l.Value)).ToList();
        var cells = bases.Select(b => new StringBuilder(b.Value)).ToList();
        foreach (var mark in marks)
        {
            if (bases.Count == 0) break;
            var centre = (mark.BoundingBox.Left + mark.BoundingBox.Right) / 2;
            var index = bases.FindLastIndex(b => b.StartBaseLine.X <= centre + 0.01);
            cells[index < 0 ? 0 : index].Append(mark.Value);
        }

        var text = new StringBuilder();
        Letter? previous = null;
        for (var i = 0; i < bases.Count; i++)
        {
            var letter = bases[i];
            if (letter.Value.All(char.IsWhiteSpace))
            {
                if (text.Length > 0 && text[^1] != ' ') text.Append(' ');
                previous = letter;
                continue;
            }
            if (previous is not null && !previous.Value.All(char.IsWhiteSpace))
            {
                var gap = letter.StartBaseLine.X - previous.EndBaseLine.X;
                // A gap wider than a fifth of the font size is a word space that was drawn as a move, not a glyph.
                if (gap > Math.Max(letter.PointSize, 1) * 0.2 && text.Length > 0 && text[^1] != ' ') text.Append(' ');
            }
            text.Append(cells[i]);
            previous = letter;
        }
        return text.ToString().Trim();
    }

    private static bool IsMark(string value) =>
        value.Length > 0 && value.All(c => CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark);

    /// <summary>PdfPig reports malformed input with many exception types; all of them mean "broken", not a bug of ours.</summary>
    private static bool IsParseFailure(Exception e) => e is not (OutOfMemoryException or OperationCanceledException or PdfDocumentEncryptedException);

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
