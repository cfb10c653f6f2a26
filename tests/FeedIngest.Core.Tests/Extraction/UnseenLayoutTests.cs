using FeedIngest.Core.Extraction;

namespace FeedIngest.Core.Tests.Extraction;

/// <summary>
/// A third portal family, written for this test in the shape of ASP.NET/Liferay district portals (page-wide form,
/// layout table, title in a classed div, "Cập nhật" time, today's date in the header, "CÁC TIN ĐÃ ĐƯA" list):
/// nothing here is in the sample set the rules were developed on.
/// </summary>
public sealed class UnseenLayoutTests
{
    private const string Page = """
        <html><head><title>Cầu Giấy ra quân làm sạch môi trường - UBND quận Cầu Giấy</title></head>
        <body><form id="aspnetForm" method="post">
        <div id="top"><span class="date-now">Thứ Tư, 25/11/2026</span> <a href="/lien-he">Liên hệ</a></div>
        <div class="menu-top"><ul><li><a href="/">Trang chủ</a></li><li><a href="/gioi-thieu">Giới thiệu</a></li><li><a href="/tin-tuc">Tin tức</a></li></ul></div>
        <table class="layout"><tr>
        <td class="left"><div class="box"><div class="box-title">Liên kết</div><ul><li><a href="/a">Cổng TTĐT Thành phố</a></li><li><a href="/b">Dịch vụ công</a></li></ul></div></td>
        <td class="center">
          <div class="journal-content-article">
            <div class="title-news">Cầu Giấy ra quân làm sạch môi trường</div>
            <span class="time-news">(Cập nhật: 14:30 ngày 15/03/2023)</span>
            <div class="summary"><b>Sáng 15/3, quận Cầu Giấy tổ chức lễ ra quân làm sạch môi trường, hưởng ứng phong trào "Ngày Chủ nhật xanh".</b></div>
            <p>Tham dự buổi lễ có lãnh đạo quận, đại diện các phòng, ban, ngành và đông đảo đoàn viên, hội viên, nhân dân trên địa bàn 8 phường.</p>
            <p style="text-align:center"><img src="/Uploads/2023/3/ra-quan.jpg"></p>
            <p style="text-align:center"><em>Các đại biểu tham gia thu gom rác thải tại khu vực hồ Nghĩa Tân</em></p>
            <p>Phát biểu tại buổi lễ, Phó Chủ tịch UBND quận đề nghị các phường tiếp tục duy trì, nhân rộng mô hình, gắn với xây dựng nếp sống văn minh đô thị.</p>
            <p>Ngay sau lễ ra quân, các lực lượng đã tổng vệ sinh, thu gom hàng chục tấn rác thải, phế thải tại các tuyến phố, ngõ ngách.</p>
            <p style="text-align:right"><b>Hoàng Anh</b></p>
          </div>
          <div class="news-other"><div class="title-other">CÁC TIN ĐÃ ĐƯA</div>
            <ul><li><a href="/t1">Quận Cầu Giấy tổng kết công tác năm 2022</a> <i>(14/03/2023)</i></li>
                <li><a href="/t2">Phường Dịch Vọng Hậu ra mắt mô hình tuyến phố văn minh</a> <i>(13/03/2023)</i></li></ul></div>
        </td>
        <td class="right"><div class="box"><div class="box-title">Thống kê truy cập</div><div>Đang truy cập: 35</div><div>Tổng lượt truy cập: 1.204.331</div></div></td>
        </tr></table>
        <div class="footer">Bản quyền thuộc UBND quận Cầu Giấy. Địa chỉ: 36 Cầu Giấy, Hà Nội.</div>
        </form></body></html>
        """;

    [Fact]
    public void BodyIsTheLeadAndParagraphsOnly()
    {
        var article = new ArticleExtractor().Extract(Page, new Uri("https://caugiay.hanoi.gov.vn/tin-tuc/ra-quan"));

        Assert.Equal(
        [
            "Sáng 15/3, quận Cầu Giấy tổ chức lễ ra quân làm sạch môi trường, hưởng ứng phong trào \"Ngày Chủ nhật xanh\".",
            "Tham dự buổi lễ có lãnh đạo quận, đại diện các phòng, ban, ngành và đông đảo đoàn viên, hội viên, nhân dân trên địa bàn 8 phường.",
            "Phát biểu tại buổi lễ, Phó Chủ tịch UBND quận đề nghị các phường tiếp tục duy trì, nhân rộng mô hình, gắn với xây dựng nếp sống văn minh đô thị.",
            "Ngay sau lễ ra quân, các lực lượng đã tổng vệ sinh, thu gom hàng chục tấn rác thải, phế thải tại các tuyến phố, ngõ ngách.",
        ], article.Blocks);
    }

    [Fact]
    public void MetadataComesFromTheArticleNotTheChrome()
    {
        var article = new ArticleExtractor().Extract(Page, new Uri("https://caugiay.hanoi.gov.vn/tin-tuc/ra-quan"));

        Assert.Equal("Cầu Giấy ra quân làm sạch môi trường", article.Title);
        Assert.Equal(new DateTimeOffset(2023, 3, 15, 14, 30, 0, TimeSpan.FromHours(7)), article.PublishedAt);
        Assert.Equal("Hoàng Anh", article.Author);
        Assert.Equal(new ArticleImage("https://caugiay.hanoi.gov.vn/Uploads/2023/3/ra-quan.jpg", "Các đại biểu tham gia thu gom rác thải tại khu vực hồ Nghĩa Tân"), Assert.Single(article.Images));
        Assert.StartsWith("Sáng 15/3", article.Lead);
    }

    [Fact]
    public void LogoHeadingWithTheSiteNameIsNotTheTitle()
    {
        const string html = """
            <html><head><title>Quận tổ chức hội nghị tổng kết công tác năm 2022 - Cổng thông tin điện tử quận Long Biên</title></head>
            <body><div class="top"><h1 class="logo"><a href="/">Cổng thông tin điện tử quận Long Biên</a></h1></div>
            <div class="main"><h2 class="title">Quận tổ chức hội nghị tổng kết công tác năm 2022</h2><div class="date">Ngày 20/12/2022 10:05</div>
            <p>Sáng 20/12, quận Long Biên tổ chức hội nghị tổng kết công tác năm 2022, triển khai nhiệm vụ năm 2023 với sự tham dự của lãnh đạo thành phố.</p>
            <p>Năm 2022, quận hoàn thành và vượt 20/20 chỉ tiêu kinh tế - xã hội, thu ngân sách đạt cao, an sinh xã hội được bảo đảm.</p></div></body></html>
            """;

        var article = new ArticleExtractor().Extract(html);

        Assert.Equal("Quận tổ chức hội nghị tổng kết công tác năm 2022", article.Title);
        Assert.Equal(new DateTimeOffset(2022, 12, 20, 10, 5, 0, TimeSpan.FromHours(7)), article.PublishedAt);
        Assert.Equal(2, article.Blocks.Count);
    }
}
