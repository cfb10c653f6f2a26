using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FeedIngest.Functions;

internal static class LoggingBuilderExtensions
{
    /// <summary>The App Insights provider adds a Warning-and-above rule by default; without removing it, Information logs never arrive.</summary>
    public static ILoggingBuilder RemoveApplicationInsightsWarningFilter(this ILoggingBuilder logging)
    {
        logging.Services.Configure<LoggerFilterOptions>(options =>
        {
            var rule = options.Rules.FirstOrDefault(r => r.ProviderName == "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider");
            if (rule is not null) options.Rules.Remove(rule);
        });
        return logging;
    }
}

/// <summary>Logs every function failure once, with the function name, so the triggers need no try/catch; the host then retries or poisons the message.</summary>
internal sealed class ExceptionLoggingMiddleware : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception e)
        {
            context.GetLogger<ExceptionLoggingMiddleware>().LogError(e, "Function {functionName} failed (invocation {invocationId})", context.FunctionDefinition.Name, context.InvocationId);
            throw;
        }
    }
}
