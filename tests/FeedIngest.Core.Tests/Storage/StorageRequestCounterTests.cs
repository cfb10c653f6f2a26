using FeedIngest.Core.Storage;

namespace FeedIngest.Core.Tests.Storage;

/// <summary>Requests are counted by the container, table or queue they address, on Azurite's path-style URLs and Azure's.</summary>
public sealed class StorageRequestCounterTests
{
    [Theory]
    [InlineData("http://127.0.0.1:10002/devstoreaccount1/Urls(PartitionKey='s',RowKey='k')", "Urls")]
    [InlineData("http://127.0.0.1:10002/devstoreaccount1/Tables", "Tables")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1/articles/src/2024/11/id.json", "articles")]
    [InlineData("http://127.0.0.1:10001/devstoreaccount1/articles/messages/abc?popreceipt=x", "articles")]
    [InlineData("https://acct.table.core.windows.net/Runs()?$filter=x", "Runs")]
    [InlineData("https://acct.blob.core.windows.net/raw/src/page.html.gz", "raw")]
    [InlineData("https://acct.queue.core.windows.net/", "(account)")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1", "(account)")]
    public void ResourceIsTheContainerTableOrQueue(string url, string expected) =>
        Assert.Equal(expected, StorageRequestCounter.Resource(new Uri(url)));
}
