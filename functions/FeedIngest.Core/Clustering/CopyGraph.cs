namespace FeedIngest.Core.Clustering;

/// <summary>
/// One copy as an indexing article read it: settled (<see cref="ClusterId"/> set, final, with the copies it was decided
/// together with in <see cref="Component"/>) or in progress with the copies its lookup found (<see cref="Sees"/>).
/// </summary>
internal sealed record CopyNode(string ArticleId, string SourceId, DateTimeOffset FirstSeen, string? ClusterId, IReadOnlyList<string> Sees, IReadOnlyList<string> Component)
{
    public bool Settled => ClusterId is not null;

    /// <summary>False while the copy's lookup is running: what it saw is not known yet.</summary>
    public bool Published { get; init; } = true;

    /// <summary>When its row was last written (the service's timestamp): how long an unpublished copy has been running.</summary>
    public DateTimeOffset WrittenAt { get; init; } = DateTimeOffset.MaxValue;
}

/// <summary>
/// The cluster of copies indexed at the same moment, decided from the graph of who saw whom, and from nothing that
/// depends on timing: every copy that reads the part of the graph it reaches computes the same answer for it, so copies
/// never wait on each other's decisions (only for each other's lookups to be published) and never disagree.
/// <para>Copies that saw each other, directly or round a cycle, form one component (a strongly connected component of
/// the graph) and share one answer: the cluster of the earliest copy (by date, then id) that some member saw outside the
/// component, or, when they saw none, the earliest member's id. Settled copies are final and end the graph; one that
/// was decided in a component lends its answer to the members it lists. With no copy in progress this is the sequential
/// rule: the earliest match's cluster, or the article's own id.</para>
/// </summary>
internal static class CopyGraph
{
    /// <summary>The cluster of <paramref name="articleId"/> and the component it was decided with (itself alone, usually).</summary>
    public static (string ClusterId, IReadOnlyList<string> Component) Decide(string articleId, IReadOnlyDictionary<string, CopyNode> nodes)
    {
        var components = new Components(nodes);
        var own = components.Of(articleId);
        return (components.ClusterOf(own), components.Members(own));
    }

    private static readonly Comparer<CopyNode> EarliestFirst = Comparer<CopyNode>.Create((a, b) =>
        a.FirstSeen != b.FirstSeen ? a.FirstSeen.CompareTo(b.FirstSeen) : string.CompareOrdinal(a.ArticleId, b.ArticleId));

    /// <summary>Tarjan's strongly connected components over the copies in progress, and each component's answer.</summary>
    private sealed class Components(IReadOnlyDictionary<string, CopyNode> nodes)
    {
        private readonly Dictionary<string, int> _componentOf = new(StringComparer.Ordinal);
        private readonly List<List<CopyNode>> _members = [];
        private readonly Dictionary<int, (string ClusterId, IReadOnlyList<string>? Component)> _answers = [];
        private readonly Dictionary<string, (int Index, int Low)> _visit = new(StringComparer.Ordinal);
        private readonly Stack<string> _stack = new();
        private readonly HashSet<string> _onStack = new(StringComparer.Ordinal);

        public int Of(string articleId)
        {
            if (!_componentOf.ContainsKey(articleId)) Visit(articleId);
            return _componentOf[articleId];
        }

        public IReadOnlyList<string> Members(int component) =>
            Answer(component).Component ?? _members[component].Select(m => m.ArticleId).Order(StringComparer.Ordinal).ToList();

        public string ClusterOf(int component) => Answer(component).ClusterId;

        private (string ClusterId, IReadOnlyList<string>? Component) Answer(int component)
        {
            if (_answers.TryGetValue(component, out var known)) return known;
            var members = _members[component];
            var ids = members.Select(m => m.ArticleId).ToHashSet(StringComparer.Ordinal);
            // A settled copy decided together with these members (it saw them and they it, through copies this reader
            // may not reach any more) already holds their answer.
            var decided = nodes.Values.Where(n => n.Settled && n.Component.Any(ids.Contains)).Order(EarliestFirst).FirstOrDefault();
            if (decided is not null) return _answers[component] = (decided.ClusterId!, decided.Component);

            var seenOutside = members.SelectMany(m => m.Sees).Where(id => !ids.Contains(id)).Select(Node).OfType<CopyNode>().Order(EarliestFirst).FirstOrDefault();
            var answer = seenOutside switch
            {
                null => members.Order(EarliestFirst).First().ArticleId,
                { Settled: true } => seenOutside.ClusterId!,
                _ => ClusterOf(Of(seenOutside.ArticleId)), // a component downstream: it never sees this one, so no cycle
            };
            return _answers[component] = (answer, null);
        }

        private CopyNode? Node(string id) => nodes.GetValueOrDefault(id);

        private void Visit(string id)
        {
            var index = _visit.Count;
            _visit[id] = (index, index);
            _stack.Push(id);
            _onStack.Add(id);
            foreach (var next in nodes[id].Sees)
            {
                if (Node(next) is not { Settled: false }) continue; // settled or never published: ends the graph
                if (!_visit.ContainsKey(next))
                {
                    Visit(next);
                    _visit[id] = (index, Math.Min(_visit[id].Low, _visit[next].Low));
                }
                else if (_onStack.Contains(next))
                    _visit[id] = (index, Math.Min(_visit[id].Low, _visit[next].Index));
            }
            if (_visit[id].Low != index) return;
            var component = new List<CopyNode>();
            string member;
            do
            {
                member = _stack.Pop();
                _onStack.Remove(member);
                _componentOf[member] = _members.Count;
                component.Add(nodes[member]);
            }
            while (member != id);
            _members.Add(component);
        }
    }
}
