using System.Text;

namespace FeedIngest.SamplePortal.Rendering;

/// <summary>
/// Builds one HTML page and remembers every boilerplate string written through <see cref="B"/>, so the list of
/// strings that must not reach an extracted body always matches what the page really shows.
/// </summary>
internal sealed class PageWriter
{
    private readonly StringBuilder _html = new();
    private readonly List<string> _boilerplate = [];

    public IReadOnlyList<string> Boilerplate => _boilerplate;

    public PageWriter Raw(string html)
    {
        _html.Append(html);
        return this;
    }

    /// <summary>Article text (title, body, lead): encoded, not recorded.</summary>
    public static string T(string text) => Encode(text);

    /// <summary>Boilerplate text (menus, counters, related titles, captions…): encoded and recorded.</summary>
    public string B(string text)
    {
        _boilerplate.Add(text);
        return Encode(text);
    }

    /// <summary>Attribute value.</summary>
    public static string A(string value) => Encode(value);

    /// <summary>Minimal HTML escaping that keeps Vietnamese letters as UTF-8 (WebUtility would emit &amp;#224; for à).</summary>
    public static string Encode(string text)
    {
        if (text.AsSpan().IndexOfAny("&<>\"'") < 0) return text;
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        return sb.ToString();
    }

    public override string ToString() => _html.ToString();
}
