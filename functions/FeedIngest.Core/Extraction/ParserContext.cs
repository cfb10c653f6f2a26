using AngleSharp;
using AngleSharp.Browser;
using AngleSharp.Browser.Dom;
using AngleSharp.Dom;
using AngleSharp.Dom.Events;
using AngleSharp.Html.Dom;

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
    private IAttributeObserver[]? _observers;

    public T? GetService<T>() where T : class
    {
        if (!_service.TryGetValue(typeof(T), out var found)) _service[typeof(T)] = found = inner.GetService<T>();
        return (T?)found;
    }

    public IEnumerable<T> GetServices<T>() where T : class
    {
        // Asked on every element with attributes: answered without a dictionary look-up.
        if (typeof(T) == typeof(IAttributeObserver)) return (IEnumerable<T>)(_observers ??= inner.GetServices<IAttributeObserver>().ToArray());
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

/// <summary>
/// AngleSharp's HTML element factory, except that <c>&lt;img&gt;</c> is a plain <see cref="HtmlElement"/> with the
/// flags AngleSharp gives it (special, self-closing): its own element type resolves its source set to a URL while the
/// page is parsed (a twentieth of a small page's parse). The extractor reads images by tag name and attributes as
/// written, never through <c>IHtmlImageElement</c>; the tree builder decides by tag name and flags, so the tree is the
/// same.
/// </summary>
internal sealed class ParserElementFactory(IElementFactory<Document, HtmlElement> inner) : IElementFactory<Document, HtmlElement>
{
    public HtmlElement Create(Document document, string localName, string? prefix = null, NodeFlags flags = NodeFlags.None) =>
        localName == "img" ? new HtmlElement(document, "img", prefix, NodeFlags.Special | NodeFlags.SelfClosing) : inner.Create(document, localName, prefix, flags);
}
