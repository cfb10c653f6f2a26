using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/FeedIngest.Benchmarks -- --filter '*'
// FEEDINGEST_BENCH_PAGES=<dir of *.html / *.html.gz> measures another page set (e.g. the article-extraction benchmark).
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
