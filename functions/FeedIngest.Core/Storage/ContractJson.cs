using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FeedIngest.Core.Storage;

/// <summary>The one JSON policy of everything FeedIngest writes for other programs: documents, events, messages, CLI output.</summary>
public static class ContractJson
{
    /// <summary>camelCase, nulls written (absent values are null, never missing), Vietnamese unescaped.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        // Readable for people and any JSON reader: Vietnamese and '+' in offsets unescaped. These documents are
        // never embedded in HTML by us, which is all the stricter encoders guard against.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = true,
    };

    /// <summary>Compact form for queue messages.</summary>
    public static readonly JsonSerializerOptions Compact = new(Options) { WriteIndented = false };

    public static string FormatTimestamp(DateTimeOffset value) => value.ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
}
