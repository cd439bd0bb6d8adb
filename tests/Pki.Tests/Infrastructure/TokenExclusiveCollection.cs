namespace Pki.Tests.Infrastructure;

/// <summary>Tests that disturb the shared token's login run alone, never beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TokenExclusiveCollection
{
    public const string Name = "token-exclusive";
}
