
namespace FeedIngest.Cli.Terminal;

/// <summary>
/// "n/N pages" for folder extraction: a status line on a terminal (refreshed at most a few times a second), nothing
/// extra when stderr is redirected. Messages written through it do not tear the status line.
/// </summary>
internal sealed class FolderProgress(int total) : IDisposable
{
    private readonly bool _live = Screen.ErrorIsInteractive && total > 1;
    private int _done;
    private long _lastDraw;

    public void Next(string path)
    {
        _done++;
        if (!_live) return;
        var now = Environment.TickCount64;
        if (now - _lastDraw < 200 && _done < total) return;
        _lastDraw = now;
        Draw($"{_done}/{total} pages — {Path.GetFileName(path)}");
    }

    public void Write(string line)
    {
        if (_live) Clear();
        Console.Error.WriteLine(line);
    }

    public void Dispose()
    {
        if (_live) Clear();
    }

    private static void Draw(string text)
    {
        var width = Math.Max(20, Screen.Error.Profile.Width - 1);
        Console.Error.Write("\r" + (text.Length > width ? text[..width] : text).PadRight(width));
    }

    private static void Clear() => Console.Error.Write("\r" + new string(' ', Math.Max(20, Screen.Error.Profile.Width - 1)) + "\r");
}
