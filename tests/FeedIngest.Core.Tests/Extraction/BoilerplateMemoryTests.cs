using FeedIngest.Core.Extraction;

namespace FeedIngest.Core.Tests.Extraction;

public sealed class BoilerplateMemoryTests
{
    [Fact]
    public void CountsDistinctPagesAndIgnoresARepeatedPage()
    {
        var memory = new BoilerplateMemory();

        memory.Observe("https://a/1", ["f1", "f2"]);
        memory.Observe("https://a/2", ["f1"]);
        memory.Observe("https://a/1", ["f1", "f2"]);

        Assert.Equal(2, memory.PagesObserved);
        Assert.Equal(2, memory.PageCount("f1"));
        Assert.Equal(1, memory.PageCount("f2"));
        Assert.Equal(0, memory.PageCount("f3"));
    }

    [Fact]
    public void StaysBoundedAndKeepsTheMostRepeatedFingerprints()
    {
        var memory = new BoilerplateMemory();

        for (var page = 0; page < 500; page++)
            memory.Observe("p" + page, Enumerable.Range(0, 20).Select(i => $"unique-{page}-{i}").Append("footer"));

        var snapshot = memory.ToSnapshot();
        Assert.True(snapshot.Counts.Count <= BoilerplateMemory.MaxFingerprints);
        Assert.Equal(500, memory.PageCount("footer"));
    }

    [Fact]
    public void ParallelObservationsLoseNothing()
    {
        var memory = new BoilerplateMemory();

        Parallel.For(0, 400, i => memory.Observe("page-" + i, ["shared", "own-" + i]));

        Assert.Equal(400, memory.PagesObserved);
        Assert.Equal(400, memory.PageCount("shared"));
    }

    [Fact]
    public void SnapshotRoundTripKeepsCountsAndPages()
    {
        var memory = new BoilerplateMemory();
        memory.Observe("a", ["x", "y"]);
        memory.Observe("b", ["x"]);

        var copy = BoilerplateMemory.FromSnapshot(memory.ToSnapshot());
        copy.Observe("a", ["x"]);

        Assert.Equal(2, copy.PagesObserved);
        Assert.Equal(2, copy.PageCount("x"));
        Assert.Equal(1, copy.PageCount("y"));
    }
}
