using System.Net;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Writer;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace FeedIngest.SamplePortal;

/// <summary>
/// The portal's documents section, served only with <c>serve-sample --with-documents</c> (so the default 13 articles,
/// feeds and pages stay exactly as they are): an article with a "File đính kèm" block linking a real PDF and DOCX with
/// Vietnamese text (built at first request: the PDF with PdfPig and Debian's DejaVu Sans, the DOCX with the Open XML
/// SDK), and one district release published twice — on the government page family and on the news family — with
/// another lead and signature. Not linked from the home page, listing, RSS or sitemap; its index is <see cref="IndexPath"/>.
/// </summary>
public static class SampleDocumentsSite
{
    public const string IndexPath = "/van-ban/";
    public const string AttachmentArticlePath = "/van-ban/ke-hoach-45-kh-ubnd-chinh-trang-do-thi-2101.html";
    public const string ReleaseGovPath = "/van-ban/quan-trien-khai-ke-hoach-chinh-trang-do-thi-2025-2102.html";
    public const string ReleaseNewsPath = "/van-ban/tin-tuc/chinh-trang-do-thi-nam-2025-2103.html";
    public const string PdfPath = "/van-ban/files/ke-hoach-45-KH-UBND.pdf";
    public const string DocxPath = "/van-ban/files/phu-luc-danh-muc-tuyen-pho.docx";
    public const string FontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    /// <summary>The PDF's text, one line per line drawn; its glyphs are drawn decomposed (NFD), as many Vietnamese PDFs are.</summary>
    public static readonly IReadOnlyList<string> PdfLines =
    [
        "ỦY BAN NHÂN DÂN QUẬN SÔNG HỒNG",
        "Kế hoạch số 45/KH-UBND về chỉnh trang đô thị năm 2025",
        "Cải tạo hạ tầng các tuyến phố Lò Đúc, Trần Khát Chân, Minh Khai và Bạch Mai.",
        "Hạ ngầm cáp viễn thông trên 25 tuyến phố; xây dựng 3 bãi đỗ xe.",
    ];

    public static readonly IReadOnlyList<string> DocxParagraphs =
    [
        "Phụ lục: Danh mục tuyến phố chỉnh trang năm 2025",
        "Kèm theo Kế hoạch số 45/KH-UBND của Ủy ban nhân dân quận.",
    ];

    public static readonly IReadOnlyList<string[]> DocxTable = [["STT", "Tuyến phố", "Phường"], ["1", "Lò Đúc", "Phạm Đình Hổ"], ["2", "Trần Khát Chân", "Thanh Lương"]];

    /// <summary>The release's body paragraphs shared by both copies (each copy adds its own lead and signature).</summary>
    public static readonly IReadOnlyList<string> ReleaseParagraphs =
    [
        "Phát biểu khai mạc, Chủ tịch Ủy ban nhân dân quận cho biết, năm 2024 quận đã hoàn thành cải tạo 42 tuyến phố, lát lại gần 30.000 mét vuông vỉa hè, trồng mới 1.200 cây xanh và chỉnh trang 18 vườn hoa, sân chơi trong khu dân cư.",
        "Theo kế hoạch năm 2025, quận tập trung cải tạo hạ tầng các tuyến phố Lò Đúc, Trần Khát Chân, Minh Khai và Bạch Mai; hạ ngầm hệ thống cáp viễn thông trên 25 tuyến phố; xây dựng 3 bãi đỗ xe ngầm và nổi tại các phường Bạch Đằng, Thanh Lương và Vĩnh Tuy.",
        "Quận cũng sẽ rà soát toàn bộ các khu đất công bỏ trống để chuyển thành vườn hoa, sân chơi cho trẻ em, đồng thời vận động người dân tham gia giữ gìn vệ sinh môi trường, không lấn chiếm vỉa hè để kinh doanh.",
        "Tổng kinh phí dự kiến cho các hạng mục chỉnh trang năm 2025 khoảng 650 tỷ đồng, trong đó ngân sách quận chiếm 70%, phần còn lại huy động từ xã hội hóa và đóng góp của doanh nghiệp trên địa bàn.",
        "Kết luận hội nghị, Bí thư Quận ủy yêu cầu các đơn vị xây dựng lộ trình cụ thể, phân công rõ người, rõ việc, rõ thời gian hoàn thành; định kỳ hằng tháng báo cáo tiến độ và chịu trách nhiệm trước quận về kết quả thực hiện.",
    ];

    private static readonly Lazy<byte[]?> Pdf = new(BuildPdf);
    private static readonly Lazy<byte[]> Docx = new(BuildDocx);

    /// <summary>The reply for a path of the section, or null (404).</summary>
    internal static (string ContentType, byte[] Body, DateTimeOffset? LastModified)? Route(string path)
    {
        const string Html = "text/html; charset=utf-8";
        var published = new DateTimeOffset(2024, 11, 21, 10, 30, 0, Core.Common.VietnamTime.Offset);
        return path switch
        {
            IndexPath or "/van-ban" => (Html, Utf8(Index()), published),
            AttachmentArticlePath => (Html, Utf8(AttachmentArticle()), published),
            ReleaseGovPath => (Html, Utf8(ReleaseGov()), published),
            ReleaseNewsPath => (Html, Utf8(ReleaseNews()), published.AddHours(4)),
            PdfPath when Pdf.Value is { } pdf => ("application/pdf", pdf, published),
            DocxPath => ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", Docx.Value, published),
            _ => null,
        };
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static string Page(string title, string canonicalPath, string body) => $"""
        <!DOCTYPE html>
        <html lang="vi"><head><meta charset="utf-8"><title>{E(title)}</title>
        <link rel="canonical" href="{SamplePortalContent.CanonicalOrigin}{canonicalPath}">
        </head><body>
        <div id="header"><a href="/">Trang chủ</a> | <a href="{IndexPath}">Văn bản</a></div>
        {body}
        <div id="footer">Cổng thông tin điện tử quận Sông Hồng</div>
        </body></html>
        """;

    private static string Index() => Page("Văn bản - Tài liệu", IndexPath, $"""
        <h1>Văn bản - Tài liệu</h1>
        <ul>
        <li><a href="{AttachmentArticlePath}">Ban hành Kế hoạch chỉnh trang đô thị năm 2025</a></li>
        <li><a href="{ReleaseGovPath}">Quận triển khai kế hoạch chỉnh trang đô thị năm 2025</a></li>
        <li><a href="{ReleaseNewsPath}">Chỉnh trang đô thị năm 2025: 650 tỷ đồng cho hạ tầng</a></li>
        </ul>
        """);

    private static string AttachmentArticle() => Page("Ban hành Kế hoạch chỉnh trang đô thị năm 2025", AttachmentArticlePath, $"""
        <div class="chitiet">
          <h1 class="title">Ban hành Kế hoạch chỉnh trang đô thị năm 2025</h1>
          <div class="date">Ngày đăng: 21/11/2024 10:30</div>
          <div id="noi-dung" class="noi-dung">
            <p class="sapo">UBND quận ban hành Kế hoạch số 45/KH-UBND về chỉnh trang đô thị năm 2025.</p>
            <p>Toàn văn kế hoạch và phụ lục danh mục tuyến phố được đăng tải kèm theo để người dân, doanh nghiệp tiện theo dõi, góp ý.</p>
            <p>Các phòng, ban và UBND các phường căn cứ kế hoạch triển khai thực hiện, báo cáo kết quả về UBND quận trước ngày 15 hằng tháng.</p>
          </div>
          <div class="file-dinh-kem"><strong>File đính kèm:</strong>
            <ul>
              <li><a href="{PdfPath}">Kế hoạch số 45/KH-UBND</a></li>
              <li>Phụ lục danh mục tuyến phố <a href="{DocxPath}">Tải về</a></li>
            </ul>
          </div>
        </div>
        <div class="tin-khac"><h3>Tin khác</h3><ul><li><a href="{ReleaseGovPath}">Quận triển khai kế hoạch chỉnh trang đô thị năm 2025</a></li></ul></div>
        """);

    private static string Paragraphs() => string.Join("\n", ReleaseParagraphs.Select(p => $"<p>{E(p)}</p>"));

    private static string ReleaseGov() => Page("Quận triển khai kế hoạch chỉnh trang đô thị năm 2025", ReleaseGovPath, $"""
        <div class="chitiet">
          <h1 class="title">Quận triển khai kế hoạch chỉnh trang đô thị năm 2025</h1>
          <div class="date">Ngày đăng: 21/11/2024 10:30</div>
          <div id="noi-dung" class="noi-dung">
            <p class="sapo">Sáng 21/11, Ủy ban nhân dân quận tổ chức hội nghị triển khai kế hoạch chỉnh trang đô thị năm 2025, với sự tham dự của lãnh đạo 15 phường và các phòng, ban chuyên môn.</p>
            {Paragraphs()}
            <p class="tacgia">Nguyễn Hương</p>
          </div>
        </div>
        """);

    private static string ReleaseNews() => Page("Chỉnh trang đô thị năm 2025: 650 tỷ đồng cho hạ tầng", ReleaseNewsPath, $"""
        <article class="news-detail">
          <h1>Chỉnh trang đô thị năm 2025: 650 tỷ đồng cho hạ tầng</h1>
          <time datetime="2024-11-21T14:30:00+07:00">21/11/2024 14:30</time>
          <div id="noi-dung" class="article-body">
            <p><strong>(HNM) - Năm 2025, quận dành khoảng 650 tỷ đồng để chỉnh trang đô thị, cải tạo hạ tầng nhiều tuyến phố lớn và xây dựng thêm bãi đỗ xe cho người dân.</strong></p>
            {Paragraphs()}
            <p>Theo Báo Hà Nội mới</p>
          </div>
        </article>
        """);

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[]? BuildPdf()
    {
        // Without a font that has Vietnamese glyphs the PDF cannot carry its text: it is not served (404).
        if (!File.Exists(FontPath)) return null;
        var builder = new PdfDocumentBuilder();
        var font = builder.AddTrueTypeFont(File.ReadAllBytes(FontPath));
        var page = builder.AddPage(595, 842);
        var y = 780.0;
        foreach (var line in PdfLines)
        {
            page.AddText(line.Normalize(NormalizationForm.FormD), 12, new PdfPoint(50, y), font);
            y -= 20;
        }
        return builder.Build();
    }

    private static byte[] BuildDocx()
    {
        using var stream = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = doc.AddMainDocumentPart();
            var body = new W.Body();
            foreach (var p in DocxParagraphs) body.Append(new W.Paragraph(new W.Run(new W.Text(p) { Space = SpaceProcessingModeValues.Preserve })));
            body.Append(new W.Table(DocxTable.Select(r => new W.TableRow(r.Select(c => new W.TableCell(new W.Paragraph(new W.Run(new W.Text(c)))))))));
            main.Document = new W.Document(body);
        }
        return stream.ToArray();
    }
}
