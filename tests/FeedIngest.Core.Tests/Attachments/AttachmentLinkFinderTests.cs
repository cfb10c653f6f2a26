using AngleSharp.Html.Parser;
using FeedIngest.Core.Attachments;

namespace FeedIngest.Core.Tests.Attachments;

public sealed class AttachmentLinkFinderTests
{
    private static readonly Uri Page = new("https://haibatrung.hanoi.gov.vn/tin-tuc/ke-hoach-123.html");
    private static readonly string[] Hosts = ["haibatrung.hanoi.gov.vn", "files.haibatrung.hanoi.gov.vn"];

    private static IReadOnlyList<AttachmentLink> Find(string html, string bodySelector = "#noi-dung")
    {
        var document = new HtmlParser().ParseDocument(html);
        return AttachmentLinkFinder.Find(document.QuerySelector(bodySelector)!, Page, Hosts);
    }

    [Fact]
    public void DocumentLinksInTheBodyAreFoundWithTheirAnchorTextAndResolved()
    {
        var links = Find("""
            <div id="noi-dung">
              <p>UBND quận ban hành <a href="/uploads/qd-123.pdf">Quyết định số 123/QĐ-UBND</a> về kế hoạch.</p>
              <p>Xem thêm <a href="/tin-tuc/bai-khac.html">bài khác</a> và <a href="https://other.gov.vn/x.pdf">văn bản nơi khác</a>.</p>
              <p><a href="https://files.haibatrung.hanoi.gov.vn/ds.XLSX#trang2">Danh sách hộ dân</a>
                 <a href="/uploads/qd-123.pdf">bản sao của cùng tệp</a></p>
            </div>
            """);

        Assert.Equal(
            [("Quyết định số 123/QĐ-UBND", "https://haibatrung.hanoi.gov.vn/uploads/qd-123.pdf"), ("Danh sách hộ dân", "https://files.haibatrung.hanoi.gov.vn/ds.XLSX")],
            links.Select(l => (l.Name, l.Url.AbsoluteUri)));
    }

    [Fact]
    public void AttachmentBlockAfterTheBodyBelongsToTheArticleUntilTheRelatedNews()
    {
        var links = Find("""
            <article>
              <div id="noi-dung"><p>Nội dung bài viết về kế hoạch chỉnh trang đô thị.</p></div>
              <div class="attach"><strong>File đính kèm:</strong>
                <ul>
                  <li>Kế hoạch 45/KH-UBND <a href="/Download.aspx?id=991">Tải về</a></li>
                  <li><a href="/uploads/phu-luc.docx" title="Phụ lục">Tải về</a></li>
                  <li><a href="/lien-he.html">Liên hệ</a></li>
                </ul>
              </div>
              <h3>Tin liên quan</h3>
              <div><a href="/uploads/bai-khac.pdf">Văn bản của bài khác</a></div>
            </article>
            """);

        Assert.Equal(
            [("Kế hoạch 45/KH-UBND", "https://haibatrung.hanoi.gov.vn/Download.aspx?id=991"), ("Phụ lục", "https://haibatrung.hanoi.gov.vn/uploads/phu-luc.docx")],
            links.Select(l => (l.Name, l.Url.AbsoluteUri)));
    }

    [Fact]
    public void LabelledBlockInsideTheBodyTakesDownloadLinksWithoutAnExtension()
    {
        var links = Find("""
            <div id="noi-dung">
              <p>Thông báo lịch tiếp công dân.</p>
              <p><b>Tài liệu:</b></p>
              <p><a href="/files/get?id=7">Lịch tiếp công dân tháng 12</a></p>
            </div>
            """);

        var link = Assert.Single(links);
        Assert.Equal("Lịch tiếp công dân tháng 12", link.Name);
        Assert.Equal("https://haibatrung.hanoi.gov.vn/files/get?id=7", link.Url.AbsoluteUri);
    }

    [Fact]
    public void NavigationLinksWithoutDocumentsAreNotAttachments()
    {
        Assert.Empty(Find("""<div id="noi-dung"><p>Xem <a href="/tin-tuc">tin tức</a>, <a href="javascript:void(0)">in</a>, <a href="mailto:a@b.vn">thư</a>.</p></div>"""));
    }

    [Theory]
    [InlineData("File đính kèm:", "file dinh kem")]
    [InlineData("  TÀI LIỆU  ", "tai lieu")]
    [InlineData("Đính kèm", "dinh kem")]
    public void LabelsAreComparedWithoutCaseAndDiacritics(string label, string folded) =>
        Assert.Equal(folded, AttachmentLinkFinder.Fold(label));
}
