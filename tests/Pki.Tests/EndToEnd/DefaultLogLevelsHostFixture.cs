using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>A dev host logging at the levels local/run gives it (no logging setting of its own), whose lines are recorded.</summary>
public sealed class DefaultLogLevelsHostFixture : DevHostFixture
{
    // Information is what a host without settings logs from; the test hosts' Warning is undone here, nothing else.
    public override Task InitializeAsync() => StartHostAsync(["--Logging:LogLevel:Default=Information"], configureServices: null);
}
