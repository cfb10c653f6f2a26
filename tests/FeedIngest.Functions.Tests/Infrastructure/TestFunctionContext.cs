using Microsoft.Azure.Functions.Worker;

namespace FeedIngest.Functions.Tests.Infrastructure;

/// <summary>
/// The part of a FunctionContext a queue function reads: its binding data (DequeueCount), as the
/// host passes it for a queue trigger. Everything else the tests never touch.
/// </summary>
public sealed class TestFunctionContext(string functionName, IServiceProvider services, long dequeueCount) : FunctionContext
{
    private readonly TestBindingContext _binding = new(new Dictionary<string, object?>
    {
        ["DequeueCount"] = dequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public override string InvocationId { get; } = Guid.NewGuid().ToString();
    public override string FunctionId => functionName;
    public override TraceContext TraceContext => throw new NotSupportedException();
    public override BindingContext BindingContext => _binding;
    public override RetryContext RetryContext => throw new NotSupportedException();
    public override IServiceProvider InstanceServices { get; set; } = services;
    public override FunctionDefinition FunctionDefinition => throw new NotSupportedException();
    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
    public override IInvocationFeatures Features => throw new NotSupportedException();

    private sealed class TestBindingContext(IReadOnlyDictionary<string, object?> data) : BindingContext
    {
        public override IReadOnlyDictionary<string, object?> BindingData => data;
    }
}
