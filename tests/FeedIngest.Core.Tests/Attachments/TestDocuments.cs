using System.IO.Compression;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Writer;
using W = DocumentFormat.OpenXml.Wordprocessing;
using S = DocumentFormat.OpenXml.Spreadsheet;

namespace FeedIngest.Core.Tests.Attachments;

/// <summary>Real documents built at test time: PDFs with PdfPig's writer and Debian's DejaVu Sans (Vietnamese glyphs), DOCX/XLSX with the Open XML SDK.</summary>
internal static class TestDocuments
{
    public const string FontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    public static void SkipUnlessFont() =>
        Skip.IfNot(File.Exists(FontPath), $"{FontPath} is missing (Debian fonts-dejavu-core; ./test.sh installs it)");

    /// <summary>
    /// A PDF whose text is drawn the way troublesome Vietnamese PDFs draw it: <paramref name="decomposed"/> writes
    /// every diacritic as its own combining glyph (NFD), <paramref name="letterByLetter"/> places every glyph by itself
    /// and draws no space glyphs (words are only gaps), <paramref name="marksFirst"/> emits each mark before its base.
    /// </summary>
    public static byte[] VietnamesePdf(IReadOnlyList<string> lines, bool decomposed, bool letterByLetter, bool marksFirst = false)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddTrueTypeFont(File.ReadAllBytes(FontPath));
        var page = builder.AddPage(595, 842);
        const double size = 12;
        var y = 800.0;
        foreach (var line in lines)
        {
            var text = decomposed ? line.Normalize(NormalizationForm.FormD) : line.Normalize(NormalizationForm.FormC);
            if (!letterByLetter)
            {
                page.AddText(text, size, new PdfPoint(50, y), font);
            }
            else
            {
                var x = 50.0;
                foreach (var word in text.Split(' '))
                {
                    // Clusters: a base letter and the marks that follow it.
                    var clusters = new List<(string Base, string Marks)>();
                    foreach (var c in word)
                    {
                        if (char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.NonSpacingMark && clusters.Count > 0)
                            clusters[^1] = (clusters[^1].Base, clusters[^1].Marks + c);
                        else clusters.Add((c.ToString(), ""));
                    }
                    foreach (var (b, marks) in clusters)
                    {
                        var width = page.MeasureText(b, size, new PdfPoint(x, y), font).Max(l => l.EndBaseLine.X) - x;
                        if (marksFirst)
                            foreach (var m in marks) page.AddText(m.ToString(), size, new PdfPoint(x + width, y), font);
                        page.AddText(b, size, new PdfPoint(x, y), font);
                        if (!marksFirst)
                            foreach (var m in marks) page.AddText(m.ToString(), size, new PdfPoint(x + width, y), font);
                        x += width;
                    }
                    x += size * 0.35; // the word space: a move, no glyph
                }
            }
            y -= size * 1.6;
        }
        return builder.Build();
    }

    /// <summary>A "scan": one page that is a picture and nothing else.</summary>
    public static byte[] ScannedPdf()
    {
        var builder = new PdfDocumentBuilder();
        var page = builder.AddPage(595, 842);
        page.AddPng(Png(40, 20), new PdfRectangle(50, 500, 545, 800));
        return builder.Build();
    }

    /// <summary>A minimal greyscale PNG (stored with zlib, as the format requires).</summary>
    public static byte[] Png(int width, int height)
    {
        var raw = new MemoryStream();
        for (var y = 0; y < height; y++)
        {
            raw.WriteByte(0); // filter: none
            for (var x = 0; x < width; x++) raw.WriteByte((byte)((x * 7 + y * 13) % 256));
        }
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw.ToArray());
        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        WriteBigEndian(ihdr, 0, width); WriteBigEndian(ihdr, 4, height);
        ihdr[8] = 8; ihdr[9] = 0; // 8-bit greyscale
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4]; WriteBigEndian(len, 0, data.Length); s.Write(len);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typeAndData);
        var crc = new byte[4]; WriteBigEndian(crc, 0, (int)System.IO.Hashing.Crc32.HashToUInt32(typeAndData)); s.Write(crc);
    }

    private static void WriteBigEndian(byte[] b, int at, int v) { b[at] = (byte)(v >> 24); b[at + 1] = (byte)(v >> 16); b[at + 2] = (byte)(v >> 8); b[at + 3] = (byte)v; }

    public static byte[] Docx(IReadOnlyList<string> paragraphs, IReadOnlyList<string[]>? table = null)
    {
        var stream = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = doc.AddMainDocumentPart();
            var body = new W.Body();
            foreach (var p in paragraphs) body.Append(new W.Paragraph(new W.Run(new W.Text(p) { Space = SpaceProcessingModeValues.Preserve })));
            if (table is not null)
                body.Append(new W.Table(table.Select(r => new W.TableRow(r.Select(c => new W.TableCell(new W.Paragraph(new W.Run(new W.Text(c)))))))));
            main.Document = new W.Document(body);
        }
        return stream.ToArray();
    }

    public static byte[] Xlsx(string sheetName, IReadOnlyList<string[]> rows)
    {
        var stream = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var wb = doc.AddWorkbookPart();
            wb.Workbook = new S.Workbook();
            var ws = wb.AddNewPart<WorksheetPart>();
            ws.Worksheet = new S.Worksheet(new S.SheetData(rows.Select(r => new S.Row(r.Select(c => new S.Cell { DataType = S.CellValues.InlineString, InlineString = new S.InlineString(new S.Text(c)) })))));
            wb.Workbook.AppendChild(new S.Sheets(new S.Sheet { Id = wb.GetIdOfPart(ws), SheetId = 1, Name = sheetName }));
        }
        return stream.ToArray();
    }

    /// <summary>A valid DOCX with one more part: <paramref name="zeros"/> bytes of zeros, which deflate to almost nothing.</summary>
    public static byte[] DocxWithBomb(long zeros)
    {
        var bytes = Docx(["Quyết định"]);
        var stream = new MemoryStream();
        stream.Write(bytes);
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("word/media/bomb.bin", CompressionLevel.SmallestSize).Open();
            var block = new byte[1 << 20];
            for (long written = 0; written < zeros; written += block.Length) entry.Write(block, 0, (int)Math.Min(block.Length, zeros - written));
        }
        return stream.ToArray();
    }

    /// <summary>A valid DOCX with <paramref name="count"/> extra tiny entries.</summary>
    public static byte[] DocxWithEntries(int count)
    {
        var stream = new MemoryStream();
        stream.Write(Docx(["Quyết định"]));
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
            for (var i = 0; i < count; i++)
                using (var w = new StreamWriter(zip.CreateEntry($"customXml/item{i}.xml").Open())) w.Write("<a/>");
        return stream.ToArray();
    }
}
