using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>A dev host that records what it and the service log down to Information, where refused requests are logged.</summary>
public sealed class InformationLogHostFixture : DevHostFixture
{
    public override Task InitializeAsync() => StartHostAsync(["--Logging:LogLevel:Default=Information", "--Logging:LogLevel:Pki=Information"], configureServices: null);
}
