using FeedIngest.Core.Extraction;
using FeedIngest.Core.Sources;

namespace FeedIngest.Core.Tests.Extraction;

/// <summary>The Vietnamese boilerplate rules on small pages of layouts the sample set does not have.</summary>
public sealed class BoilerplateRuleTests
{
    private const string P1 = "Sáng nay, UBND quận tổ chức hội nghị tổng kết công tác năm, đánh giá kết quả thực hiện nhiệm vụ phát triển kinh tế - xã hội trên địa bàn.";
    private const string P2 = "Phát biểu tại hội nghị, Chủ tịch UBND quận yêu cầu các phường tiếp tục đẩy mạnh cải cách hành chính, nâng cao chất lượng phục vụ người dân.";
    private const string P3 = "Dịp này, nhiều tập thể và cá nhân có thành tích xuất sắc đã được khen thưởng, góp phần lan tỏa phong trào thi đua trong toàn quận.";

    private static ExtractedArticle Extract(string body, ExtractionContext? context = null) =>
        new ArticleExtractor().Extract($"<html><head><title>Hội nghị tổng kết công tác năm - Cổng TTĐT</title></head><body><div class=\"wrap\"><h1>Hội nghị tổng kết công tác năm</h1>{body}</div></body></html>",
            new Uri("https://portal.example.vn/tin/1"), context);

    [Fact]
    public void RelatedListInsideTheBodyIsDroppedWithItsItems()
    {
        var article = Extract($"""
            <div class="noidung"><p>{P1}</p><p><strong>Tin liên quan:</strong></p>
            <p><a href="/a">Quận tổ chức lễ dâng hương tưởng niệm</a></p><p><a href="/b">Phường ra quân dọn vệ sinh môi trường</a></p>
            <p>{P2}</p><p>{P3}</p></div>
            """);

        Assert.Equal([P1, P2, P3], article.Blocks);
    }

    [Fact]
    public void LabelledBoxAfterTheBodyIsDroppedWithItsDatedItems()
    {
        var article = Extract($"""
            <div class="noidung"><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>
            <section><span>Những tin cũ hơn</span><ul><li><a href="/c">Tin cũ thứ nhất về quận</a> (20/11/2024)</li><li><a href="/d">Tin cũ thứ hai về phường</a> (19/11/2024)</li></ul></section>
            """);

        Assert.Equal([P1, P2, P3], article.Blocks);
    }

    [Fact]
    public void LinkLinesCountersTagsAndFollowPromptsNeverReachTheBody()
    {
        var article = Extract($"""
            <div class="noidung"><p>Lượt xem: 1.234</p><p>{P1}</p><p>&gt;&gt; Xem thêm: <a href="/e">Quận triển khai nhiệm vụ năm mới</a></p>
            <p>{P2}</p><p>Theo dõi Cổng TTĐT quận trên Google News</p><p>{P3}</p><div>Từ khóa: <a href="/t/1">hội nghị</a>, <a href="/t/2">tổng kết</a></div></div>
            """);

        Assert.Equal([P1, P2, P3], article.Blocks);
    }

    [Fact]
    public void SourceAttributionAndSignatureMoveToMetadata()
    {
        var article = Extract($"""
            <div class="noidung"><p>{P1}</p><p>{P2}</p><p>{P3}</p><p style="text-align:right"><b>Thu Hà</b></p><p>Nguồn tin: Báo Kinh tế &amp; Đô thị</p></div>
            """);

        Assert.Equal([P1, P2, P3], article.Blocks);
        Assert.Equal("Báo Kinh tế & Đô thị", article.SourceAttribution);
        Assert.Equal("Thu Hà", article.Author);
    }

    [Fact]
    public void CaptionsOfLazyImagesArePulledOutAsMetadata()
    {
        var article = Extract($"""
            <div class="noidung"><p>{P1}</p><p><img data-src="/img/a.jpg" src="data:image/gif;base64,R0lGOD"></p><p><em>Quang cảnh hội nghị</em></p>
            <p>{P2}</p><div class="PhotoCMS_Caption"><img src="/img/b.jpg"><p>Đại biểu dự hội nghị</p></div><p class="Image">Chủ tịch UBND quận phát biểu</p><p>{P3}</p></div>
            """);

        Assert.Equal([P1, P2, P3], article.Blocks);
        Assert.Contains(new ArticleImage("https://portal.example.vn/img/a.jpg", "Quang cảnh hội nghị"), article.Images);
        Assert.Contains(article.Images, i => i.Src == "https://portal.example.vn/img/b.jpg" && i.Caption == "Đại biểu dự hội nghị");
    }

    [Fact]
    public void BrRunsHeadingsListsAndDataTablesBecomeSeparateLines()
    {
        var article = Extract($"""
            <div class="noidung">{P1}<br><br>{P2}<h2>Kết quả nổi bật</h2><ul><li>Thu ngân sách vượt dự toán 12%</li><li>Giải ngân đầu tư công đạt 95%</li></ul>
            <table><tr><td>Chỉ tiêu</td><td>Kết quả</td></tr><tr><td>Thu ngân sách</td><td>10.530 tỷ đồng</td></tr></table><p>{P3}</p></div>
            """);

        Assert.Equal([P1, P2, "Kết quả nổi bật", "Thu ngân sách vượt dự toán 12%", "Giải ngân đầu tư công đạt 95%", "Chỉ tiêu | Kết quả", "Thu ngân sách | 10.530 tỷ đồng", P3], article.Blocks);
    }

    [Fact]
    public void OverridesChooseContentTitleAndDateAndRemoveSelectors()
    {
        var context = new ExtractionContext
        {
            Overrides = new ExtractionOverrides { ContentSelector = "#than-bai", RemoveSelectors = [".quang-cao"], TitleSelector = ".tieu-de", DateSelector = ".ngay" },
        };

        var article = Extract($"""
            <div class="tieu-de">Tiêu đề thật của bài</div><span class="ngay">Đăng lúc 07:45 ngày 02/03/2023</span>
            <div class="sidebar-text"><p>{P3}</p><p>{P3} {P3}</p></div>
            <div id="than-bai"><p>{P1}</p><div class="quang-cao">Mua ngay hôm nay, giảm giá đến năm mươi phần trăm cho mọi khách hàng</div><p>{P2}</p></div>
            """, context);

        Assert.Equal([P1, P2], article.Blocks);
        Assert.Equal("Tiêu đề thật của bài", article.Title);
        Assert.Equal(new DateTimeOffset(2023, 3, 2, 7, 45, 0, TimeSpan.FromHours(7)), article.PublishedAt);
    }

    [Fact]
    public void BlockRepeatedOnManyPagesOfTheSourceIsDroppedButUniqueTextStays()
    {
        const string Disclaimer = "Cổng thông tin điện tử quận giữ bản quyền nội dung, ghi rõ nguồn khi phát hành lại thông tin từ trang này.";
        var memory = new BoilerplateMemory();
        for (var i = 0; i < 8; i++)
            new ArticleExtractor().Extract($"<html><body><article><h1>Bài số {i}</h1><p>Nội dung riêng của bài số {i}, một đoạn văn đủ dài để được chọn làm thân bài của trang.</p><p>{Disclaimer}</p></article></body></html>",
                new Uri($"https://portal.example.vn/bai/{i}"), new ExtractionContext { SourceId = "q", Boilerplate = memory });

        var article = Extract($"<div class=\"noidung\"><p>{P1}</p><p>{P2}</p><p>{Disclaimer}</p><p>{P3}</p></div>", new ExtractionContext { SourceId = "q", Boilerplate = memory });

        Assert.Equal([P1, P2, P3], article.Blocks);
        Assert.Equal(9, memory.PagesObserved);
    }

    [Fact]
    public void WithoutEnoughPagesObservedNothingIsDroppedForRepetition()
    {
        const string Repeated = "Đoạn văn này xuất hiện trên hai trang của cùng một nguồn nhưng chưa đủ để coi là khuôn mẫu lặp lại.";
        var memory = new BoilerplateMemory();
        new ArticleExtractor().Extract($"<html><body><article><h1>Bài một</h1><p>{P3}</p><p>{Repeated}</p></article></body></html>", new Uri("https://portal.example.vn/tin/a"), new ExtractionContext { Boilerplate = memory });

        var article = Extract($"<div class=\"noidung\"><p>{P1}</p><p>{Repeated}</p><p>{P2}</p></div>", new ExtractionContext { Boilerplate = memory });

        Assert.Equal([P1, Repeated, P2], article.Blocks);
    }

    [Fact]
    public void LeadPrintedApartFromTheBodyOpensTheBody()
    {
        var article = Extract($"""<div class="article"><h2 class="sapo">(PLVN) - {P1}</h2><div class="fck_detail"><p>{P2}</p><p>{P3}</p></div></div>""");

        Assert.Equal([$"(PLVN) - {P1}", P2, P3], article.Blocks);
        Assert.Equal($"(PLVN) - {P1}", article.Lead);
    }

    [Fact]
    public void ToolbarsPhotoCreditsAndCommentPromptsAreDroppedButProseWithThoseWordsStays()
    {
        const string Prose = "Trở về quê hương sau nhiều năm, ông chia sẻ niềm vui khi thấy quận đổi thay từng ngày.";
        var article = Extract($"""
            <div class="noidung"><p>In bài | Gửi email | Lên đầu trang</p><p>{P1}</p><p>Ảnh: Minh Ngọc</p><p>{Prose}</p>
            <p>{P2}</p><p>Bình luận (0)</p><p>Chia sẻ bài viết: Facebook Zalo</p><p>{P3}</p></div>
            """);

        Assert.Equal([P1, Prose, P2, P3], article.Blocks);
    }

    [Fact]
    public void BoldRunBeforeABreakIsASubHeadingOnItsOwnLine()
    {
        var article = Extract($"""<div class="noidung"><p>{P1}</p><p><strong>Thực hiện tốt các nhiệm vụ đề ra</strong><br>{P2}</p><p>{P3}</p></div>""");

        Assert.Equal([P1, "Thực hiện tốt các nhiệm vụ đề ra", P2, P3], article.Blocks);
    }

    [Fact]
    public void CaptionUnderAnImageInTheSameParagraphIsMetadata()
    {
        var article = Extract($"""<div class="noidung"><p>{P1}</p><p style="text-align:center"><img src="/a.jpg"><br><em>Toàn cảnh hội nghị</em></p><p>{P2}</p><p>{P3}</p></div>""");

        Assert.Equal([P1, P2, P3], article.Blocks);
        Assert.Equal("Toàn cảnh hội nghị", Assert.Single(article.Images).Caption);
    }

    [Fact]
    public void UppercaseAndDecoratedLabelsOpenRelatedListsToo()
    {
        var article = Extract($"""
            <div class="noidung"><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>
            <div><div>» CÁC TIN KHÁC</div><p><a href="/x">Quận tổ chức lễ dâng hương</a> (12/02/2023)</p><p><a href="/y">Phường ra quân làm sạch môi trường</a> (11/02/2023)</p></div>
            """);

        Assert.Equal([P1, P2, P3], article.Blocks);
    }

    [Fact]
    public void SignatureWithItsSourceOnOneLineSplitsIntoAuthorAndAttribution()
    {
        var article = Extract($"""<div class="noidung"><p>{P1}</p><p>{P2}</p><p>{P3}</p><p>Minh Ngọc (Theo Báo Kinh tế &amp; Đô thị)</p></div>""");

        Assert.Equal([P1, P2, P3], article.Blocks);
        Assert.Equal("Minh Ngọc", article.Author);
        Assert.Equal("Báo Kinh tế & Đô thị", article.SourceAttribution);
    }

    [Fact]
    public void BylineElementBesideTheTitleGivesTheAuthor()
    {
        var article = Extract($"""<div class="tac-gia">Tác giả: Nguyễn Thu Hà</div><div class="noidung"><p>{P1}</p><p>{P2}</p><p>{P3}</p></div>""");

        Assert.Equal("Nguyễn Thu Hà", article.Author);
        Assert.Equal([P1, P2, P3], article.Blocks);
    }

    [Fact]
    public void ShortCentredLineUnderACentredPictureIsItsCaptionButAQuoteIsNot()
    {
        const string Quote = "“Chúng tôi rất vui khi được tham gia chương trình này cùng bà con trong phường.”";
        var article = Extract($"""
            <div class="noidung"><p>{P1}</p><p style="text-align:center"><img src="/a.jpg"></p><p style="text-align:center">Lãnh đạo quận trao quà cho các hộ gia đình</p>
            <p>{P2}</p><p style="text-align:center"><img src="/b.jpg"></p><p style="text-align:center">{Quote}</p><p>{P3}</p></div>
            """);

        Assert.Equal([P1, P2, Quote, P3], article.Blocks);
        Assert.Contains(article.Images, i => i.Caption == "Lãnh đạo quận trao quà cho các hộ gia đình");
    }

    [Fact]
    public void SapoInsideTheArticleHeaderIsKeptAsTheLeadWhileTheHeaderGoes()
    {
        var article = Extract($"""
            <article><header><div class="byline">Thu Hà</div><p class="sapo">(HNM) - {P1}</p><div class="share">Chia sẻ</div></header>
            <div class="detail-content"><p>{P2}</p><p>{P3}</p></div></article>
            """);

        Assert.Equal([$"(HNM) - {P1}", P2, P3], article.Blocks);
        Assert.Equal("Thu Hà", article.Author);
    }

    [Fact]
    public void RelatedItemsWithTeasersGoWithTheirLabel()
    {
        const string P4 = "Theo kế hoạch, trong năm nay quận sẽ tập trung hoàn thành các công trình trọng điểm, chỉnh trang đô thị, cải tạo hệ thống chiếu sáng, cây xanh và vỉa hè trên nhiều tuyến phố, đồng thời đẩy mạnh chuyển đổi số trong giải quyết thủ tục hành chính cho người dân và doanh nghiệp.";
        var article = Extract($"""
            <div class="noidung"><p>{P1}</p><p>{P2}</p>
            <div><h3>Bài viết liên quan</h3>
              <div><a href="/r1">Phường Yên Hòa ra mắt mô hình dân vận khéo</a><p>Mô hình giúp người dân tham gia giữ gìn vệ sinh, trật tự đô thị.</p></div>
              <div><a href="/r2">Quận tập huấn nghiệp vụ cải cách hành chính</a><p>Hơn 200 cán bộ phường tham dự lớp tập huấn trong hai ngày.</p></div>
            </div>
            <p>{P3}</p><p>{P4}</p><p>{P4} {P1}</p></div>
            """);

        Assert.Equal([P1, P2, P3, P4, P4 + " " + P1], article.Blocks);
    }
}
