using System.Text;
using FeedIngest.Core.Attachments;
using Microsoft.Extensions.Options;

namespace FeedIngest.Core.Tests.Attachments;

public sealed class AttachmentTextExtractorTests
{
    private static readonly string[] Lines =
    [
        "Quyết định số 123/QĐ-UBND của Ủy ban nhân dân quận Hai Bà Trưng",
        "về việc phê duyệt kế hoạch chỉnh trang đô thị năm 2024.",
        "Người dân phường Thanh Lương được hướng dẫn thủ tục.",
    ];

    private static AttachmentTextExtractor Extractor(Action<AttachmentOptions>? configure = null)
    {
        var options = new AttachmentOptions();
        configure?.Invoke(options);
        return new AttachmentTextExtractor(Options.Create(options));
    }

    private static AttachmentResult Read(byte[] bytes, string file, string? contentType, Action<AttachmentOptions>? configure = null) =>
        Extractor(configure).Extract(new AttachmentLink("Tài liệu", new Uri("https://portal.example/files/" + file)), contentType, bytes);

    [SkippableTheory]
    [InlineData(false, false, false)]
    [InlineData(true, false, false)]
    [InlineData(true, true, false)]
    [InlineData(true, true, true)]
    [InlineData(false, true, false)]
    public void VietnamesePdfComesOutNfcWithWordsIntactHoweverTheGlyphsWereDrawn(bool decomposed, bool letterByLetter, bool marksFirst)
    {
        TestDocuments.SkipUnlessFont();
        var pdf = TestDocuments.VietnamesePdf(Lines, decomposed, letterByLetter, marksFirst);
        // The fixture is as hard as claimed: PdfPig's plain page text is not the NFC text with its spaces.
        using (var naive = UglyToad.PdfPig.PdfDocument.Open(pdf))
        {
            var plain = naive.GetPage(1).Text;
            if (decomposed) Assert.False(plain.IsNormalized(NormalizationForm.FormC), "the PDF should carry decomposed diacritics");
            if (letterByLetter) Assert.DoesNotContain(" ", plain);
        }

        var result = Read(pdf, "qd-123.pdf", "application/pdf");

        Assert.Equal(AttachmentTextStatus.Extracted, result.TextStatus);
        Assert.Equal(string.Join("\n", Lines), result.Text);
        Assert.True(result.Text!.IsNormalized(NormalizationForm.FormC));
        Assert.Equal(1, result.Pages);
        Assert.Equal(AttachmentKind.Pdf, result.Kind);
        Assert.Equal("application/pdf", result.ContentType);
        Assert.Equal(pdf.Length, result.Bytes);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pdf)), result.Sha256);
        Assert.Null(result.Reason);
    }

    [SkippableFact]
    public void PdfServedAsOctetStreamIsJudgedByItsBytes()
    {
        TestDocuments.SkipUnlessFont();
        var result = Read(TestDocuments.VietnamesePdf(Lines, false, false), "download.aspx", "application/octet-stream");
        Assert.Equal(AttachmentTextStatus.Extracted, result.TextStatus);
        Assert.Equal("application/pdf", result.ContentType);
    }

    [Fact]
    public void ScanWithoutTextLayerIsMarkedScanned()
    {
        var result = Read(TestDocuments.ScannedPdf(), "scan.pdf", "application/pdf");
        Assert.Equal(AttachmentTextStatus.Scanned, result.TextStatus);
        Assert.Contains("no text layer", result.Reason);
        Assert.Null(result.Text);
        Assert.Equal(1, result.Pages);
        Assert.True(result.Storable);
    }

    [Fact]
    public void PasswordProtectedPdfIsMarkedEncrypted()
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "attachments", "password-protected.pdf"));
        var result = Read(bytes, "mat.pdf", "application/pdf");
        Assert.Equal(AttachmentTextStatus.Encrypted, result.TextStatus);
        Assert.Contains("password", result.Reason);
        Assert.Null(result.Text);
    }

    [SkippableFact]
    public void TruncatedOrGarbledPdfIsMarkedBroken()
    {
        TestDocuments.SkipUnlessFont();
        var pdf = TestDocuments.VietnamesePdf(Lines, false, false);
        var garbled = "%PDF-1.7\n"u8.ToArray().Concat(Enumerable.Range(0, 4000).Select(i => (byte)(i * 31 % 251))).ToArray();

        foreach (var broken in new[] { pdf[..(pdf.Length / 3)], garbled })
        {
            var result = Read(broken, "hong.pdf", "application/pdf");
            Assert.True(result.TextStatus == AttachmentTextStatus.Broken, $"{result.TextStatus}: {result.Reason}");
            Assert.False(string.IsNullOrWhiteSpace(result.Reason));
            Assert.Null(result.Text);
        }
    }

    [Fact]
    public void HtmlErrorPageServedAsPdfIsTheWrongType()
    {
        var html = "<!DOCTYPE html><html><body>Không tìm thấy tệp</body></html>"u8.ToArray();
        var result = Read(html, "qd.pdf", "application/pdf");
        Assert.Equal(AttachmentTextStatus.WrongType, result.TextStatus);
        Assert.Contains("HTML page", result.Reason);
        Assert.False(result.Storable);
        var exe = new byte[] { 0x4D, 0x5A, 0x90, 0x00, 0x03 };
        Assert.Equal(AttachmentTextStatus.WrongType, Read(exe, "x.doc", "application/msword").TextStatus);
    }

    [Fact]
    public void AttachmentOverTheSizeCapIsRefusedBeforeReading()
    {
        var result = Read(new byte[5000], "lon.pdf", "application/pdf", o => o.MaxBytes = 4096);
        Assert.Equal(AttachmentTextStatus.TooLarge, result.TextStatus);
        Assert.Contains("4096-byte cap", result.Reason);
        Assert.False(result.Storable);
    }

    [Fact]
    public void DocxParagraphsAndTableRowsAreExtractedInNfc()
    {
        var decomposedLine = "Ủy ban nhân dân phường Bạch Đằng thông báo".Normalize(NormalizationForm.FormD);
        var docx = TestDocuments.Docx([decomposedLine, "Lịch tiếp công dân tháng 12."], [["Ngày", "Người tiếp"], ["Thứ Hai", "Chủ tịch UBND"]]);

        var result = Read(docx, "thong-bao.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document");

        Assert.Equal(AttachmentTextStatus.Extracted, result.TextStatus);
        Assert.Equal("Ủy ban nhân dân phường Bạch Đằng thông báo\nLịch tiếp công dân tháng 12.\nNgày | Người tiếp\nThứ Hai | Chủ tịch UBND", result.Text);
        Assert.Equal(AttachmentKind.Docx, result.Kind);
        Assert.Null(result.Pages);
    }

    [Fact]
    public void XlsxRowsAreExtractedWithTheSheetName()
    {
        var xlsx = TestDocuments.Xlsx("Danh sách", [["STT", "Họ và tên", "Phường"], ["1", "Nguyễn Văn Án", "Đồng Nhân"]]);
        var result = Read(xlsx, "ds.xlsx", null);
        Assert.Equal(AttachmentTextStatus.Extracted, result.TextStatus);
        Assert.Equal("Danh sách\nSTT | Họ và tên | Phường\n1 | Nguyễn Văn Án | Đồng Nhân", result.Text);
        Assert.Equal(AttachmentKind.Xlsx, result.Kind);
    }

    [Fact]
    public void ZipBombInsideDocxIsRefusedByTheDeclaredSizeBound()
    {
        var bomb = TestDocuments.DocxWithBomb(64L * 1024 * 1024);
        Assert.True(bomb.Length < 1024 * 1024, $"the bomb should be small: {bomb.Length}");

        var result = Read(bomb, "bom.docx", null, o => { o.MaxUnpackedBytes = 16L * 1024 * 1024; o.MaxCompressionRatio = 100_000; });

        Assert.Equal(AttachmentTextStatus.TooLarge, result.TextStatus);
        Assert.Contains("zip bomb guard", result.Reason);
        Assert.Null(result.Text);
    }

    [Fact]
    public void ZipBombInsideDocxIsRefusedByTheCompressionRatio()
    {
        var result = Read(TestDocuments.DocxWithBomb(8L * 1024 * 1024), "bom.docx", null);
        Assert.Equal(AttachmentTextStatus.TooLarge, result.TextStatus);
        Assert.Contains("compressed", result.Reason);
    }

    [Fact]
    public void DocxWithTooManyEntriesIsRefused()
    {
        var result = Read(TestDocuments.DocxWithEntries(300), "nhieu.docx", null, o => o.MaxPackageEntries = 100);
        Assert.Equal(AttachmentTextStatus.TooLarge, result.TextStatus);
        Assert.Contains("entries", result.Reason);
    }

    [Fact]
    public void DocxWhoseMainPartIsNotXmlIsBroken()
    {
        var docx = TestDocuments.Docx(["Quyết định"]);
        var stream = new MemoryStream();
        stream.Write(docx);
        using (var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Update, leaveOpen: true))
        {
            zip.GetEntry("word/document.xml")!.Delete();
            using var w = new StreamWriter(zip.CreateEntry("word/document.xml").Open());
            w.Write("<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p>");
        }
        var result = Read(stream.ToArray(), "hong.docx", null);
        Assert.Equal(AttachmentTextStatus.Broken, result.TextStatus);
        Assert.StartsWith("unreadable DOCX", result.Reason);
    }

    [Fact]
    public void LegacyDocAndEncryptedOoxmlAreRecognisedByTheirOleDirectory()
    {
        var ole = new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };
        byte[] Compound(string stream) => ole.Concat(new byte[504]).Concat(Encoding.Unicode.GetBytes(stream)).Concat(new byte[64]).ToArray();

        var doc = Read(Compound("WordDocument"), "cv.doc", "application/msword");
        Assert.Equal(AttachmentTextStatus.NoText, doc.TextStatus);
        Assert.Equal(AttachmentKind.Doc, doc.Kind);
        Assert.Contains("legacy", doc.Reason);
        Assert.True(doc.Storable);

        Assert.Equal(AttachmentKind.Xls, Read(Compound("Workbook"), "ds.xls", null).Kind);

        var encrypted = Read(Compound("EncryptedPackage"), "mat.docx", null);
        Assert.Equal(AttachmentTextStatus.Encrypted, encrypted.TextStatus);
        Assert.Equal(AttachmentKind.Docx, encrypted.Kind);
    }
}
