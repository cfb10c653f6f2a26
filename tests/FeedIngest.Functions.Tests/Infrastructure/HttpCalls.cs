using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FeedIngest.Functions.Tests.Infrastructure;

/// <summary>What a client would receive: status, content type and body.</summary>
public sealed record HttpCallResult(int Status, string? ContentType, string Body);

/// <summary>
/// Builds requests the way the ASP.NET Core integration hands them to a function, and executes the
/// returned IActionResult with MVC's real result executors and JSON formatter.
/// </summary>
public static class HttpCalls
{
    private static readonly IServiceProvider Mvc = new ServiceCollection()
        .AddLogging()
        .AddMvcCore()
        .Services
        .BuildServiceProvider();

    public static HttpRequest Request(string method, string path, string? body = null, string? contentType = "application/json")
    {
        var context = new DefaultHttpContext { RequestServices = Mvc };
        context.Request.Method = method;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("localhost", 7071);
        context.Request.Path = path;
        if (contentType is not null) context.Request.ContentType = contentType;
        var bytes = Encoding.UTF8.GetBytes(body ?? "");
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        context.Response.Body = new MemoryStream();
        return context.Request;
    }

    public static HttpRequest Post(string path, string body, string? contentType = "application/json") => Request("POST", path, body, contentType);

    public static HttpRequest Get(string path) => Request("GET", path, null, null);

    public static async Task<HttpCallResult> ExecuteAsync(this IActionResult result, HttpRequest request)
    {
        var context = request.HttpContext;
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        context.Response.Body.Position = 0;
        using var reader = new StreamReader(context.Response.Body, Encoding.UTF8);
        return new HttpCallResult(context.Response.StatusCode, context.Response.ContentType, await reader.ReadToEndAsync());
    }
}
