using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Word = DocumentFormat.OpenXml.Wordprocessing;

namespace FeedIngest.Core.Attachments;

/// <summary>DOCX and XLSX text with the Open XML SDK, over a package <see cref="OoxmlPackageGuard"/> has bounded.</summary>
internal static class OfficeTextReader
{
    /// <summary>DOCX: one line per paragraph, table rows with cells joined by " | " (the article text's rules).</summary>
    public static string Docx(Stream package, int maxChars)
    {
        using var document = WordprocessingDocument.Open(package, false);
        var body = document.MainDocumentPart?.Document?.Body;
        var text = new TextBuilder(maxChars);
        if (body is null) return "";
        foreach (var block in body.ChildElements)
        {
            if (text.Full) break;
            switch (block)
            {
                case Word.Paragraph p:
                    text.Line(ParagraphText(p));
                    break;
                case Word.Table table:
                    foreach (var row in table.Elements<Word.TableRow>())
                        text.Line(string.Join(" | ", row.Elements<Word.TableCell>().Select(c => string.Join(" ", c.Elements<Word.Paragraph>().Select(ParagraphText).Where(s => s.Length > 0)))));
                    break;
            }
        }
        return text.ToString();
    }

    private static string ParagraphText(Word.Paragraph paragraph)
    {
        var sb = new StringBuilder();
        foreach (var element in paragraph.Descendants())
        {
            switch (element)
            {
                case Word.Text t: sb.Append(t.Text); break;
                case Word.TabChar: sb.Append(' '); break;
                case Word.Break or Word.CarriageReturn: sb.Append(' '); break;
            }
        }
        return Collapse(sb.ToString());
    }

    /// <summary>XLSX: a line with each sheet's name, then one line per row, cells joined by " | ".</summary>
    public static string Xlsx(Stream package, int maxChars)
    {
        using var document = SpreadsheetDocument.Open(package, false);
        var workbook = document.WorkbookPart;
        var text = new TextBuilder(maxChars);
        if (workbook?.Workbook.Sheets is null) return "";
        var shared = workbook.SharedStringTablePart?.SharedStringTable?.Elements<SharedStringItem>().Select(i => i.InnerText).ToList() ?? [];
        foreach (var sheet in workbook.Workbook.Sheets.Elements<Sheet>())
        {
            if (text.Full) break;
            if (sheet.Id?.Value is not { } id || workbook.GetPartById(id) is not WorksheetPart part) continue;
            text.Line(sheet.Name?.Value ?? "");
            foreach (var row in part.Worksheet.Descendants<Row>())
            {
                if (text.Full) break;
                var cells = row.Elements<Cell>().Select(c => CellText(c, shared)).ToList();
                while (cells.Count > 0 && cells[^1].Length == 0) cells.RemoveAt(cells.Count - 1);
                text.Line(string.Join(" | ", cells));
            }
        }
        return text.ToString();
    }

    private static string CellText(Cell cell, List<string> shared)
    {
        var value = cell.CellValue?.Text ?? cell.InnerText;
        if (cell.DataType?.Value == CellValues.SharedString && int.TryParse(value, out var index) && index >= 0 && index < shared.Count) return Collapse(shared[index]);
        if (cell.DataType?.Value == CellValues.InlineString) return Collapse(cell.InlineString?.InnerText ?? "");
        return Collapse(value ?? "");
    }

    private static string Collapse(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private sealed class TextBuilder(int maxChars)
    {
        private readonly StringBuilder _sb = new();
        public bool Full => _sb.Length >= maxChars;

        public void Line(string line)
        {
            if (line.Length == 0 || Full) return;
            if (_sb.Length > 0) _sb.Append('\n');
            _sb.Append(line);
            if (_sb.Length > maxChars) _sb.Length = maxChars;
        }

        public override string ToString() => _sb.ToString().Normalize(NormalizationForm.FormC);
    }

    /// <summary>Open XML SDK failures that mean "this is not a valid document".</summary>
    public static bool IsBroken(Exception e) =>
        e is OpenXmlPackageException or InvalidDataException or System.Xml.XmlException or InvalidOperationException or IOException or ArgumentException or FileFormatException;
}
