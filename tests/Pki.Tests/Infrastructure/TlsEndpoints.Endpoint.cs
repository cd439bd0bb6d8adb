using Pki.Core.Discovery.Scanning;

namespace Pki.Tests.Infrastructure;

public sealed partial class TlsEndpoints
{
    /// <summary>
    /// One <c>openssl s_server</c> on 127.0.0.1: the certificates it serves, leaf first, exactly as a scan
    /// should record them, and the leaf's key file.
    /// </summary>
    public sealed record Endpoint(string Name, int Port, IReadOnlyList<byte[]> ServedChain, string KeyPath, string Protocol)
    {
        /// <summary>The SNI name every endpoint is scanned with; the wrong-name endpoint's certificate names other.test instead.</summary>
        public const string ServerName = "good.test";

        public byte[] LeafDer => ServedChain[0];

        public string LeafPem => Pem(LeafDer);

        /// <summary>The served certificates after the leaf, in PEM (empty when the server sends the leaf alone).</summary>
        public string ChainPem => string.Concat(ServedChain.Skip(1).Select(Pem));

        /// <summary>The endpoint as the scanner takes it: 127.0.0.1, its port, SNI good.test.</summary>
        public ScannedEndpoint ToScanned() => new("127.0.0.1", Port, ServerName);

        public override string ToString() => $"{Name} (127.0.0.1:{Port})";
    }
}
