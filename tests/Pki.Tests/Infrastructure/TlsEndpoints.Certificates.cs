using System.Globalization;

namespace Pki.Tests.Infrastructure;

public sealed partial class TlsEndpoints
{
    private const string OpensslConfig = """
        [ca]
        default_ca = test_ca

        [test_ca]
        dir = DIR
        database = $dir/index.txt
        new_certs_dir = $dir/issued
        serial = $dir/serial
        default_md = sha256
        policy = any_name
        unique_subject = no
        copy_extensions = none
        email_in_dn = no

        [any_name]
        commonName = supplied

        [req]
        distinguished_name = empty_dn

        [empty_dn]

        [root]
        basicConstraints = critical,CA:true
        keyUsage = critical,keyCertSign,cRLSign
        subjectKeyIdentifier = hash

        [intermediate]
        basicConstraints = critical,CA:true,pathlen:0
        keyUsage = critical,keyCertSign,cRLSign
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid

        [leaf_good_test]
        basicConstraints = critical,CA:false
        keyUsage = critical,digitalSignature,keyEncipherment
        extendedKeyUsage = serverAuth
        subjectAltName = DNS:good.test
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid
        crlDistributionPoints = URI:http://127.0.0.1:AIA_PORT/intermediate.crl

        [leaf_no_revocation]
        basicConstraints = critical,CA:false
        keyUsage = critical,digitalSignature,keyEncipherment
        extendedKeyUsage = serverAuth
        subjectAltName = DNS:good.test
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid

        [leaf_incomplete]
        basicConstraints = critical,CA:false
        keyUsage = critical,digitalSignature,keyEncipherment
        extendedKeyUsage = serverAuth
        subjectAltName = DNS:good.test
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid
        authorityInfoAccess = caIssuers;URI:http://127.0.0.1:AIA_PORT/intermediate.cer,OCSP;URI:http://127.0.0.1:AIA_PORT/ocsp
        crlDistributionPoints = URI:http://127.0.0.1:AIA_PORT/intermediate.crl

        [leaf_other_test]
        basicConstraints = critical,CA:false
        keyUsage = critical,digitalSignature,keyEncipherment
        extendedKeyUsage = serverAuth
        subjectAltName = DNS:other.test
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid
        authorityInfoAccess = OCSP;URI:http://127.0.0.1:AIA_PORT/ocsp
        """;

    /// <summary>Writes the openssl config and CA database, then the test root (self-signed, EC P-256) and intermediate (RSA 2048, pathlen 0).</summary>
    private void CreateAuthorities()
    {
        Directory.CreateDirectory(_openssl.PathOf("issued"));
        _openssl.Write("index.txt", string.Empty);
        _openssl.Write("serial", "01\n");
        _config = _openssl.Write("openssl.cnf", OpensslConfig
            .Replace("DIR", _openssl.Directory, StringComparison.Ordinal)
            .Replace("AIA_PORT", FetchPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));

        _rootKey = _openssl.NewKey("root.key", "ec:P-256");
        _rootPem = _openssl.PathOf("root.pem");
        Openssl.Run("req", "-x509", "-new", "-config", _config, "-key", _rootKey, "-subj", "/CN=Pki Tests TLS Root", "-extensions", "root",
            "-days", "30", "-sha256", "-out", _rootPem).EnsureSuccess();

        _intermediateKey = _openssl.NewKey("intermediate.key", "rsa:2048");
        _intermediatePem = Issue("intermediate", _intermediateKey, "/CN=Pki Tests TLS Intermediate", "intermediate", _rootPem, _rootKey, "sha256", expired: false);
    }

    /// <summary>A leaf for a new key, issued by the intermediate.</summary>
    private string Leaf(string name, string keySpec, string extensions, string digest = "sha256", bool expired = false)
    {
        var key = _openssl.NewKey(name + ".key", keySpec);
        return Issue(name, key, "/CN=" + name, extensions, _intermediatePem, _intermediateKey, digest, expired);
    }

    /// <summary>Issues a certificate for a new CSR of the key with <c>openssl ca</c>, which (unlike x509 -req) takes explicit dates.</summary>
    private string Issue(string name, string key, string subject, string extensions, string issuerPem, string issuerKey, string digest, bool expired)
    {
        var now = DateTimeOffset.UtcNow;
        var csr = _openssl.PathOf(name + ".csr");
        Openssl.Run("req", "-new", "-config", _config, "-key", key, "-subj", subject, "-out", csr).EnsureSuccess();
        var pem = _openssl.PathOf(name + ".pem");
        Openssl.Run("ca", "-batch", "-config", _config, "-notext", "-rand_serial", "-in", csr, "-out", pem,
            "-cert", issuerPem, "-keyfile", issuerKey, "-md", digest, "-extensions", extensions,
            "-startdate", GeneralizedTime(expired ? now.AddDays(-60) : now.AddDays(-1)),
            "-enddate", GeneralizedTime(expired ? now.AddDays(-30) : now.AddDays(30))).EnsureSuccess();
        return pem;
    }

    private string SelfSignedLeaf(string name)
    {
        var key = _openssl.NewKey(name + ".key", "ec:P-256");
        var pem = _openssl.PathOf(name + ".pem");
        Openssl.Run("req", "-x509", "-new", "-config", _config, "-key", key, "-subj", "/CN=" + name, "-extensions", "leaf_good_test",
            "-days", "30", "-sha256", "-out", pem).EnsureSuccess();
        return pem;
    }

    private static string KeyOf(string pemPath) => Path.ChangeExtension(pemPath, ".key");

    private static string GeneralizedTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "Z";

    private static byte[] Der(string pemPath) =>
        System.Security.Cryptography.PemEncoding.TryFind(File.ReadAllText(pemPath), out var fields)
            ? Convert.FromBase64String(File.ReadAllText(pemPath)[fields.Base64Data])
            : throw new InvalidOperationException($"no PEM in {pemPath}");

    /// <summary>Every certificate of a PEM file, DER, in file order.</summary>
    private static byte[][] DerAll(string pemPath) =>
        [.. Pki.Core.Authority.Pem.ReadAll(File.ReadAllText(pemPath), "CERTIFICATE")];

    private static string Pem(byte[] der) => new string(System.Security.Cryptography.PemEncoding.Write("CERTIFICATE", der)) + "\n";
}
