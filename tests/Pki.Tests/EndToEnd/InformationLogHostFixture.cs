using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>A dev host that records what it logs down to Information, where refused requests are logged.</summary>
public sealed class InformationLogHostFixture : DevHostFixture
{
    public override Task InitializeAsync() => StartHostAsync(["--Logging:LogLevel:Default=Information"], configureServices: null);
}
