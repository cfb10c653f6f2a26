using AngleSharp;
using AngleSharp.Browser;
using AngleSharp.Browser.Dom;
using AngleSharp.Dom;
using AngleSharp.Dom.Events;

namespace FeedIngest.Core.Extraction;

/// <summary>
/// The extractor's parser context: a <see cref="BrowsingContext"/> whose service look-ups are answered from a cache.
/// AngleSharp asks the context for its attribute observers on every element that has attributes, and for the loader,
/// the event loop and the resource loader on every document and image; <see cref="BrowsingContext"/> answers each by
/// walking its whole service list with two type tests a service (one against a variant delegate type, the slowest
/// kind), and <c>GetServices</c> allocates an iterator each time. The services never change after the context is made,
/// so each answer is computed once (by the inner context, creators included) and kept. One context per parser, one
/// parser per thread: not thread-safe.
/// </summary>
internal sealed class ParserContext(IBrowsingContext inner) : IBrowsingContext
{
    private readonly Dictionary<Type, object?> _service = [];
    private readonly Dictionary<Type, object> _services = [];

    public T? GetService<T>() where T : class
    {
        if (!_service.TryGetValue(typeof(T), out var found)) _service[typeof(T)] = found = inner.GetService<T>();
        return (T?)found;
    }

    public IEnumerable<T> GetServices<T>() where T : class
    {
        if (!_services.TryGetValue(typeof(T), out var found)) _services[typeof(T)] = found = inner.GetServices<T>().ToArray();
        return (T[])found;
    }

    public IWindow? Current => inner.Current;
    public IDocument? Active { get => inner.Active; set => inner.Active = value; }
    public IHistory? SessionHistory => inner.SessionHistory;
    public Sandboxes Security => inner.Security;
    public IBrowsingContext? Parent => inner.Parent;
    public IDocument? Creator => inner.Creator;
    public IEnumerable<object> OriginalServices => inner.OriginalServices;
    public IBrowsingContext CreateChild(string? name, Sandboxes security) => inner.CreateChild(name, security);
    public IBrowsingContext? FindChild(string name) => inner.FindChild(name);
    public void AddEventListener(string type, DomEventHandler? callback = null, bool capture = false) => inner.AddEventListener(type, callback, capture);
    public void RemoveEventListener(string type, DomEventHandler? callback = null, bool capture = false) => inner.RemoveEventListener(type, callback, capture);
    public void InvokeEventListener(Event ev) => inner.InvokeEventListener(ev);
    public bool Dispatch(Event ev) => inner.Dispatch(ev);
    public void Dispose() => inner.Dispose();
}
