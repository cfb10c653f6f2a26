using FeedIngest.Core;
using FeedIngest.Functions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddApplicationInsightsTelemetryWorkerService().ConfigureFunctionsApplicationInsights();
builder.Logging.RemoveApplicationInsightsWarningFilter().AddWorkerLogFilters();
builder.Services.AddFeedIngest(builder.Configuration);
builder.Services.AddSingleton(HostQueueSettings.ForThisApp(builder.Configuration));
builder.Build().Run();
