using System.Buffers;

namespace FeedIngest.Core.Fetching;

/// <summary>
/// Runs inside the resilience pipeline, once per attempt: checks the content type on the headers, then reads the
/// body into memory while counting bytes, so the per-attempt timeout covers a slow body, a cut connection is a
/// transient failure (retried), and an oversized body is abandoned at the cap instead of being buffered.
/// </summary>
internal sealed class CappedBodyHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.TryGetValue(FetchAttemptContext.Key, out var context);

        var response = await base.SendAsync(request, cancellationToken);
        if (context is null) return response;

        var status = (int)response.StatusCode;
        if (status is < 200 or >= 300)
        {
            // Redirects, 304 and errors: the body is never used, so it is never downloaded.
            ReplaceContent(response, []);
            return response;
        }

        if (!context.Accepts(response.Content.Headers.ContentType))
        {
            var type = response.Content.Headers.ContentType?.MediaType;
            response.Dispose();
            throw new FetchRejectedException(FailureCause.ContentType, context.Accepted.HasFlag(AcceptedContent.Documents)
                ? $"content-type {type} is not a document (PDF, Word, Excel)"
                : $"content-type {type} is not HTML/XML");
        }

        if (response.Content.Headers.ContentLength is long declared && declared > context.MaxBytes)
        {
            response.Dispose();
            throw new FetchRejectedException(FailureCause.TooLarge, $"response larger than {context.MaxBytes} bytes (Content-Length {declared})");
        }

        byte[] body;
        try
        {
            body = await ReadCappedAsync(response.Content, context.MaxBytes, cancellationToken);
        }
        catch (IOException ex)
        {
            response.Dispose();
            // A connection reset or a body shorter than its Content-Length: transient, so the retry strategy sees it.
            throw new HttpRequestException($"truncated body: {ex.Message}", ex);
        }
        catch
        {
            response.Dispose();
            throw;
        }
        ReplaceContent(response, body);
        return response;
    }

    private static async Task<byte[]> ReadCappedAsync(HttpContent content, long maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk.AsMemory(), cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                    throw new FetchRejectedException(FailureCause.TooLarge, $"response larger than {maxBytes} bytes");
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }

    private static void ReplaceContent(HttpResponseMessage response, byte[] body)
    {
        var original = response.Content;
        var replacement = new ByteArrayContent(body);
        foreach (var header in original.Headers)
        {
            // Lengths and encodings described the wire form; the replacement holds decoded bytes.
            if (header.Key is "Content-Length" or "Content-Encoding") continue;
            replacement.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        response.Content = replacement;
        original.Dispose();
    }
}
