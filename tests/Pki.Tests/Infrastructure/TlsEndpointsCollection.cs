namespace Pki.Tests.Infrastructure;

/// <summary>Test classes in this collection share one <see cref="TlsEndpoints"/> (one CA, one set of s_server processes).</summary>
[CollectionDefinition(Name)]
public sealed class TlsEndpointsCollection : ICollectionFixture<TlsEndpoints>
{
    public const string Name = "tls-endpoints";
}
