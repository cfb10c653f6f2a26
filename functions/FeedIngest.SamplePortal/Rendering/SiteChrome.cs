using FeedIngest.SamplePortal.Content;

namespace FeedIngest.SamplePortal.Rendering;

/// <summary>The fixed parts of the sample district portal: names, menus, footers, and the article list related boxes draw from.</summary>
internal sealed class SiteChrome(IReadOnlyList<ArticleData> newestFirst)
{
    public const string District = "Sông Hồng";
    public const string PortalName = "Cổng thông tin điện tử quận Sông Hồng";
    public const string PortalNameCaps = "CỔNG THÔNG TIN ĐIỆN TỬ QUẬN SÔNG HỒNG";
    public const string Owner = "Ủy ban nhân dân quận Sông Hồng - Thành phố Hà Nội";
    public const string NewsSiteName = "Bản tin Sông Hồng";
    public const string Address = "Địa chỉ: Số 18 phố Bến Đò, quận Sông Hồng, Hà Nội";
    public const string Phone = "Điện thoại: 024.3826.4455 - Fax: 024.3826.4456";
    public const string Email = "Email: vanphong@songhong.sample-portal.vn";
    public const string ReuseNote = "Ghi rõ nguồn “Cổng thông tin điện tử quận Sông Hồng” khi phát hành lại thông tin từ website này.";
    public const string License = "Giấy phép số 68/GP-TTĐT do Sở Thông tin và Truyền thông Hà Nội cấp ngày 12/3/2019";
    public const string Responsible = "Chịu trách nhiệm chính: Chánh Văn phòng HĐND và UBND quận";

    public const string ListingPath = "/tin-tuc";
    public const string FeedPath = "/rss/tin-tuc.rss";

    /// <summary>Top menu of the government template: (text, href).</summary>
    public static readonly (string Text, string Href)[] GovMenu =
    [
        ("Trang chủ", "/"), ("Giới thiệu", "/trang/gioi-thieu"), ("Tin tức - Sự kiện", ListingPath),
        ("Chỉ đạo - Điều hành", ListingPath), ("Văn bản pháp luật", "/trang/van-ban-phap-luat"),
        ("Thủ tục hành chính", "/trang/thu-tuc-hanh-chinh"), ("Lịch công tác", "/trang/lich-cong-tac"),
        ("Hỏi đáp trực tuyến", "/trang/hoi-dap"), ("Liên hệ", "/trang/lien-he"),
    ];

    /// <summary>Left column of the government template.</summary>
    public static readonly string[] GovSections =
    [
        "Tin tức - Sự kiện", "Chỉ đạo - Điều hành", "Cải cách hành chính", "Quy hoạch - Kế hoạch",
        "Giáo dục - Đào tạo", "Văn hóa - Xã hội", "An ninh - Quốc phòng", "Thông báo",
    ];

    public static readonly string[] NewDocuments =
    [
        "Kế hoạch số 112/KH-UBND về tổ chức Ngày hội toàn dân bảo vệ an ninh Tổ quốc",
        "Quyết định công bố danh mục thủ tục hành chính được chuẩn hóa năm 2024",
        "Thông báo lịch tiếp công dân định kỳ của Chủ tịch UBND quận",
    ];

    public static readonly string[] ExternalLinks =
    [
        "Cổng Dịch vụ công quốc gia", "Cổng giao tiếp điện tử Hà Nội", "Hệ thống thông tin giải quyết TTHC Hà Nội",
    ];

    /// <summary>Top menu of the news template.</summary>
    public static readonly (string Text, string Href)[] NewsMenu =
    [
        ("Thời sự", ListingPath), ("Chính trị", ListingPath), ("Kinh tế", ListingPath), ("Đô thị", ListingPath),
        ("Giáo dục", ListingPath), ("Văn hóa - Thể thao", ListingPath), ("Pháp luật", ListingPath), ("Phường xã", ListingPath),
    ];

    public IReadOnlyList<ArticleData> NewestFirst { get; } = newestFirst;

    public static string ArticlePath(ArticleData a) => $"/tin-tuc/{a.Slug}-{a.Id}.html";

    /// <summary>Articles after <paramref name="a"/> in date order (wrapping round), skipping <paramref name="skip"/> of them first.</summary>
    public IEnumerable<ArticleData> Others(ArticleData a, int skip, int take)
    {
        var start = NewestFirst.ToList().FindIndex(x => x.Id == a.Id);
        return Enumerable.Range(1 + skip, NewestFirst.Count - 1)
            .Select(i => NewestFirst[(start + i) % NewestFirst.Count])
            .Where(x => x.Id != a.Id)
            .Take(take);
    }

    /// <summary>
    /// Related articles an editor could have linked inside the body: published before <paramref name="a"/>,
    /// falling back to any others for the oldest articles.
    /// </summary>
    public IReadOnlyList<ArticleData> EarlierRelated(ArticleData a, int skip, int take)
    {
        var earlier = NewestFirst.Where(x => x.PublishedAt < a.PublishedAt).Skip(skip).Take(take).ToList();
        return earlier.Count == take ? earlier : Others(a, skip, take).ToList();
    }

    public IEnumerable<ArticleData> MostRead(int take) => NewestFirst.OrderByDescending(x => x.Views).ThenBy(x => x.Id).Take(take);
}
