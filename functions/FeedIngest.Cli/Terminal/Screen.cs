using Spectre.Console;

namespace FeedIngest.Cli.Terminal;

/// <summary>
/// Spectre consoles for stdout and stderr. Colours and live widgets (spinners, progress) only on a terminal:
/// off when the stream is redirected or NO_COLOR is set (https://no-color.org); redirected output is not
/// wrapped, so pipes and grep get whole rows.
/// </summary>
internal static class Screen
{
    public static IAnsiConsole Out { get; } = Create(Console.Out, Console.IsOutputRedirected);
    public static IAnsiConsole Error { get; } = Create(Console.Error, Console.IsErrorRedirected);

    public static bool ErrorIsInteractive => !Console.IsErrorRedirected;

    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var noColor = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected || noColor ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected) console.Profile.Width = 4096;
        return console;
    }
}
