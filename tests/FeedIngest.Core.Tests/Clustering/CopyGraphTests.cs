using FeedIngest.Core.Clustering;

namespace FeedIngest.Core.Tests.Clustering;

/// <summary>
/// The rule copies indexed at the same moment decide their cluster by. Each copy decides from what it reads: the copies in
/// progress it reaches through whom each saw, and settled copies (final) where that ends. The tests play every way four
/// concurrent copies can have seen each other, in every order they can finish, each deciding from only what it would read.
/// </summary>
public sealed class CopyGraphTests
{
    private static readonly DateTimeOffset T0 = new(2024, 11, 21, 9, 0, 0, TimeSpan.FromHours(7));

    [Fact]
    public void WithEveryMatchSettledTheEarliestMatchsClusterIsTaken()
    {
        var nodes = Graph(("x", 5, null, []), ("b", 2, "a", []), ("c", 1, "c", []), ("d", 0, "a", []));
        nodes["x"] = nodes["x"] with { Sees = ["b", "c"] };

        Assert.Equal("c: x", Decision("x", nodes));
    }

    [Fact]
    public void ACopyThatSawNothingIsItsOwnCluster() =>
        Assert.Equal("x: x", Decision("x", Graph(("x", 5, null, []))));

    [Fact]
    public void CopiesThatSawEachOtherTakeTheEarliestAndACopyThatSawOneOfThemJoinsThem()
    {
        // The case that split a cluster when copies waited on each other with a timeout: x and y saw each other, z saw x only.
        var nodes = Graph(("x", 2, null, ["y"]), ("y", 1, null, ["x"]), ("z", 0, null, ["x"]));

        Assert.Equal("y: x y", Decision("x", nodes));
        Assert.Equal("y: x y", Decision("y", nodes));
        Assert.Equal("y: z", Decision("z", nodes));
    }

    [Fact]
    public void AnEarlierCopyThatSawOnlyALaterOneJoinsTheLaterOnesAnswer()
    {
        // a was published first but looked up last: b never saw it, decides alone, and a follows b.
        var nodes = Graph(("a", 0, null, ["b"]), ("b", 1, null, []));

        Assert.Equal("b: a", Decision("a", nodes));
        Assert.Equal("b: b", Decision("b", nodes));
    }

    [Fact]
    public void ASettledCopyDecidedTogetherWithThisOneLendsItsAnswer()
    {
        // y settled with x in its component; x now reaches y as settled and must not decide alone.
        var nodes = Graph(("x", 2, null, ["y"]), ("y", 1, "w", ["x", "w"]), ("w", 0, null, []));
        nodes["y"] = nodes["y"] with { Component = ["x", "y"] };

        Assert.Equal("w: x y", Decision("x", nodes));
    }

    [Fact]
    public void AnOldClusterSeenByACopyInProgressDecidesForAllThatSawThatCopy()
    {
        var nodes = Graph(("old", 0, "root", []), ("x", 2, null, ["old", "y"]), ("y", 1, null, ["x"]));

        Assert.Equal("root: x y", Decision("x", nodes));
        Assert.Equal("root: x y", Decision("y", nodes));
    }

    [Fact]
    public void FourConcurrentCopiesAgreeHoweverTheySawEachOtherAndWhateverOrderTheyFinishIn()
    {
        // Of two copies that share a band, at least one sees the other: per pair, a sees b, b sees a, or both (3^6 graphs).
        var ids = new[] { "a", "b", "c", "d" };
        var pairs = (from i in Enumerable.Range(0, 4) from j in Enumerable.Range(i + 1, 3 - i) select (ids[i], ids[j])).ToList();
        var checkedCases = 0;
        for (var orientation = 0; orientation < (int)Math.Pow(3, pairs.Count); orientation++)
        {
            var sees = ids.ToDictionary(id => id, _ => new List<string>());
            for (int p = 0, code = orientation; p < pairs.Count; p++, code /= 3)
            {
                var (first, second) = pairs[p];
                if (code % 3 != 1) sees[first].Add(second);
                if (code % 3 != 0) sees[second].Add(first);
            }
            foreach (var order in Permutations(ids))
            {
                var answers = Play(order, sees);
                Assert.True(answers.Values.Distinct().Count() == 1,
                    $"graph {string.Join("; ", sees.Select(s => $"{s.Key}→{string.Join(",", s.Value)}"))}, order {string.Join("", order)}: {string.Join(", ", answers.Select(a => $"{a.Key}={a.Value}"))}");
                Assert.Contains(answers.Values.First(), ids);
                checkedCases++;
            }
        }
        Assert.Equal(729 * 24, checkedCases);
    }

    [Fact]
    public void EachCopyGetsWhatItWouldGetKnowingEverythingHoweverTheOthersFinished()
    {
        // Five copies in progress, two older clusters some of them saw; random graphs and finishing orders (fixed seed).
        // Reading settled copies instead of following them must never change an answer: each copy's decision equals the
        // one made from the whole graph with nothing settled.
        var random = new Random(20261203);
        var ids = new[] { "a", "b", "c", "d", "e" };
        for (var trial = 0; trial < 20_000; trial++)
        {
            var sees = ids.ToDictionary(id => id, _ => new List<string>());
            foreach (var (first, second) in from i in Enumerable.Range(0, ids.Length) from j in Enumerable.Range(i + 1, ids.Length - i - 1) select (ids[i], ids[j]))
            {
                var how = random.Next(4); // 0: neither (no shared band), 1: first sees second, 2: second sees first, 3: both
                if (how is 1 or 3) sees[first].Add(second);
                if (how is 2 or 3) sees[second].Add(first);
            }
            foreach (var id in ids)
                foreach (var old in new[] { "old1", "old2" })
                    if (random.Next(4) == 0) sees[id].Add(old);
            var hours = ids.ToDictionary(id => id, _ => random.Next(-3, 4));
            var whole = Copies(sees, hours);
            var expected = ids.ToDictionary(id => id, id => CopyGraph.Decide(id, whole).ClusterId);

            var order = ids.OrderBy(_ => random.Next()).ToArray();
            var answers = Play(order, sees, hours);
            Assert.True(ids.All(id => answers[id] == expected[id]),
                $"graph {string.Join("; ", sees.Select(s => $"{s.Key}({hours[s.Key]})→{string.Join(",", s.Value)}"))}, order {string.Join("", order)}: "
                + $"got {string.Join(", ", answers.Select(a => $"{a.Key}={a.Value}"))}, expected {string.Join(", ", expected.Select(a => $"{a.Key}={a.Value}"))}");
        }
    }

    /// <summary>Copies finish in <paramref name="order"/>; each decides from what it reaches, with the ones before it settled.</summary>
    private static Dictionary<string, string> Play(IReadOnlyList<string> order, Dictionary<string, List<string>> sees, Dictionary<string, int>? hours = null)
    {
        var all = Copies(sees, hours);
        var answers = new Dictionary<string, string>();
        foreach (var id in order)
        {
            var (clusterId, component) = CopyGraph.Decide(id, Readable(id, all));
            all[id] = all[id] with { ClusterId = clusterId, Component = component };
            answers[id] = clusterId;
        }
        return answers;
    }

    /// <summary>
    /// The copies in progress, and the two older settled clusters (old1 dated −10 h, old2 −5 h). Dates default to the
    /// reverse of the ids, so that "earliest" and "first id" disagree and ties are not what makes a test pass.
    /// </summary>
    private static Dictionary<string, CopyNode> Copies(Dictionary<string, List<string>> sees, Dictionary<string, int>? hours)
    {
        var copies = sees.Keys.ToDictionary(id => id, id => new CopyNode(id, "s", T0.AddHours(hours?[id] ?? 'z' - id[0]), null, sees[id], []));
        copies["old1"] = new CopyNode("old1", "s", T0.AddHours(-10), "root1", [], []);
        copies["old2"] = new CopyNode("old2", "s", T0.AddHours(-5), "root2", [], []);
        return copies;
    }

    /// <summary>What a copy reads: itself, the copies in progress it reaches through Sees, and settled copies where that ends.</summary>
    private static Dictionary<string, CopyNode> Readable(string id, Dictionary<string, CopyNode> all)
    {
        var read = new Dictionary<string, CopyNode> { [id] = all[id] with { ClusterId = null } };
        var next = new Queue<string>(all[id].Sees);
        while (next.TryDequeue(out var other))
        {
            if (!read.TryAdd(other, all[other])) continue;
            if (!all[other].Settled) foreach (var seen in all[other].Sees) next.Enqueue(seen);
        }
        return read;
    }

    private static IEnumerable<string[]> Permutations(string[] items) =>
        items.Length <= 1 ? [items] : items.SelectMany((item, i) => Permutations([.. items[..i], .. items[(i + 1)..]]).Select(rest => (string[])[item, .. rest]));

    private static Dictionary<string, CopyNode> Graph(params (string Id, int Hours, string? ClusterId, string[] Sees)[] copies) =>
        copies.ToDictionary(c => c.Id, c => new CopyNode(c.Id, "s", T0.AddHours(c.Hours), c.ClusterId, c.Sees, []));

    /// <summary>The cluster and the component, joined: "cluster: member member".</summary>
    private static string Decision(string id, Dictionary<string, CopyNode> nodes)
    {
        var (clusterId, component) = CopyGraph.Decide(id, nodes);
        return $"{clusterId}: {string.Join(' ', component)}";
    }
}
