using FeedIngest.Core;
using FeedIngest.Functions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<ExceptionLoggingMiddleware>();
builder.Services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();
builder.Logging.RemoveApplicationInsightsWarningFilter();
builder.Services.AddFeedIngest(builder.Configuration);
builder.Services.AddOptions<QueueHostOptions>();
builder.Build().Run();
