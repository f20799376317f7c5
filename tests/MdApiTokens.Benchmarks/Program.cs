using BenchmarkDotNet.Running;
using MdApiTokens.Benchmarks.ApiTokens;
using MdApiTokens.Benchmarks.Defender;

// Engine benchmarks import the built module, so they run before anything here loads the module's core library.
if (args is ["tenants", ..])
{
    return await TenantThrottleBenchmark.RunAsync();
}

if (args is ["test-apitoken", ..])
{
    return TestApiTokenRatio.Run();
}

if (args is ["store", ..])
{
    return StoreRatios.Run();
}

if (args is ["listing", ..])
{
    return await IncidentListingRatio.RunAsync();
}

if (args is ["memory", ..])
{
    return await IncidentMemoryRatio.RunAsync();
}

if (args is ["pacer", ..])
{
    return await PacerRatio.RunAsync();
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
