using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Security.KeyVault.Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Pki.Core.Discovery;
using Pki.Core.Discovery.KeyVault;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Discovery.KeyVault;

/// <summary>The Key Vault source through the real SDK against <see cref="KeyVaultDouble"/>.</summary>
public sealed class KeyVaultCertificateSourceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 9, 30, 0, TimeSpan.Zero);

    private KeyVaultDouble _vault = null!;
    private readonly FakeLogger<KeyVaultCertificateSource> _logger = new();

    public async Task InitializeAsync() => _vault = await KeyVaultDouble.StartAsync();

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task Every_version_of_every_certificate_is_listed_with_its_der_vault_and_attributes()
    {
        using var ssl = new Openssl();
        var opensslKey = ssl.NewKey("made-by-openssl.key", "ec:P-384");
        Openssl.Run("req", "-x509", "-key", opensslKey, "-subj", "/CN=made-by-openssl", "-days", "30",
            "-outform", "DER", "-out", ssl.PathOf("made-by-openssl.der")).EnsureSuccess();
        var opensslDer = File.ReadAllBytes(ssl.PathOf("made-by-openssl.der"));

        var expected = new List<VaultCertificate>();
        void Add(string name, byte[] der, DateTimeOffset created, bool enabled = true, DateTimeOffset? updated = null)
        {
            var version = _vault.AddVersion(name, der, created, enabled, updated);
            expected.Add(new VaultCertificate(_vault.VaultUri, name, version, der, enabled, created, updated ?? created));
        }

        Add("web", Certificate("web-1", ecdsa: true), T0);
        Add("web", Certificate("web-2", ecdsa: false), T0.AddDays(40));
        Add("web", Certificate("web-3", ecdsa: true), T0.AddDays(80), updated: T0.AddDays(81));
        Add("api", Certificate("api-1", ecdsa: false), T0.AddDays(1), enabled: false, updated: T0.AddDays(30));
        Add("api", Certificate("api-2", ecdsa: true), T0.AddDays(30));
        Add("db", Certificate("db-1", ecdsa: true), T0.AddDays(2));
        Add("mail", opensslDer, T0.AddDays(3));
        Add("vpn", Certificate("vpn-1", ecdsa: false), T0.AddDays(4));

        var listed = await ListAsync(Source());

        Assert.Equal(expected.Count, listed.Count);
        foreach (var want in expected)
        {
            var got = Assert.Single(listed, c => c.Name == want.Name && c.Version == want.Version);
            Assert.Equal(want.VaultUri, got.VaultUri);
            Assert.Equal(want.Der, got.Der);
            Assert.Equal(want.Enabled, got.Enabled);
            Assert.Equal(want.CreatedOn, got.CreatedOn);
            Assert.Equal(want.UpdatedOn, got.UpdatedOn);
            Assert.Equal($"127.0.0.1:{_vault.VaultUri.Port}/certificates/{want.Name}/{want.Version}", got.Location);
        }

        // The version each vault certificate serves: its newest enabled one (api's newest is enabled, its older one not).
        var served = expected.Where(c => c.Enabled).GroupBy(c => c.Name).Select(g => g.MaxBy(c => c.CreatedOn)!.Version).Order();
        Assert.Equal(served, listed.Where(c => c.Current).Select(c => c.Version).Order());

        // openssl, not our code, says the bytes that came back are the certificate that went in.
        var returned = ssl.Write("returned.der", listed.Single(c => c.Name == "mail").Der);
        Assert.Equal(
            Openssl.Run("x509", "-inform", "DER", "-in", ssl.PathOf("made-by-openssl.der"), "-noout", "-fingerprint", "-sha256").EnsureSuccess().Stdout,
            Openssl.Run("x509", "-inform", "DER", "-in", returned, "-noout", "-fingerprint", "-sha256").EnsureSuccess().Stdout);

        // Five names at two a page is three pages; web's three versions are two.
        var requests = _vault.Requests.Where(r => r.HasToken).ToList();
        Assert.Equal(3, requests.Count(r => r.Path == "/certificates"));
        Assert.Equal(2, requests.Count(r => r.Path == "/certificates" && r.Query.Contains("$skiptoken=")));
        Assert.Equal(2, requests.Count(r => r.Path == "/certificates/web/versions"));
        Assert.All(requests.Where(r => r.Path == "/certificates"), r => Assert.DoesNotContain("includePending=true", r.Query));
    }

    [Fact]
    public async Task The_listing_streams_and_asks_for_the_next_page_only_when_it_is_reached()
    {
        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            _vault.AddVersion(name, Certificate(name, ecdsa: true), T0);
        }

        await using var listing = Source().ListAsync(_vault.VaultUri, CancellationToken.None).GetAsyncEnumerator();
        Assert.True(await listing.MoveNextAsync());

        Assert.Equal("a", listing.Current.Name);
        Assert.Single(_vault.Requests, r => r.HasToken && r.Path == "/certificates");
        Assert.DoesNotContain(_vault.Requests, r => r.Path.StartsWith("/certificates/b", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_client_follows_the_vault_challenge_and_asks_for_a_vault_token_in_its_tenant()
    {
        _vault.AddVersion("web", Certificate("web-1", ecdsa: true), T0);

        await ListAsync(Source());

        var requests = _vault.Requests;
        Assert.False(requests[0].HasToken);
        Assert.All(requests.Skip(1), r => Assert.True(r.HasToken, r.Path));
        var asked = Assert.Single(_vault.TokenRequests.DistinctBy(c => (string.Join(' ', c.Scopes), c.TenantId)));
        Assert.Equal([KeyVaultDouble.Scope], asked.Scopes);
        Assert.Equal(KeyVaultDouble.Tenant, asked.TenantId);
    }

    [Fact]
    public async Task A_certificate_that_cannot_be_read_is_skipped_with_a_warning_and_the_rest_are_listed()
    {
        _vault.AddVersion("web", Certificate("web-1", ecdsa: true), T0);
        _vault.AddVersion("secret-team", Certificate("secret-1", ecdsa: true), T0);
        _vault.AddVersion("gone", Certificate("gone-1", ecdsa: true), T0);
        _vault.AddVersion("vpn", Certificate("vpn-1", ecdsa: true), T0);
        _vault.Forbid("secret-team");
        _vault.Vanish("gone");

        var listed = await ListAsync(Source());

        Assert.Equal(["vpn", "web"], listed.Select(c => c.Name).Order());
        var warnings = _logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.GetStructuredStateValue("CertificateName") == "secret-team" && w.GetStructuredStateValue("Status") == "403");
        Assert.Contains(warnings, w => w.GetStructuredStateValue("CertificateName") == "gone" && w.GetStructuredStateValue("ErrorCode") == "CertificateNotFound");
    }

    [Fact]
    public async Task Only_the_newest_versions_by_creation_are_read()
    {
        // Stored out of creation order, so listing order and creation order differ.
        var middle = _vault.AddVersion("web", Certificate("web-b", ecdsa: true), T0.AddDays(40));
        var oldest = _vault.AddVersion("web", Certificate("web-a", ecdsa: true), T0);
        var newest = _vault.AddVersion("web", Certificate("web-d", ecdsa: true), T0.AddDays(120));
        var older = _vault.AddVersion("web", Certificate("web-c", ecdsa: true), T0.AddDays(20));

        var listed = await ListAsync(Source(maxVersions: 2));

        Assert.Equal([newest, middle], listed.Select(c => c.Version));
        Assert.DoesNotContain(_vault.Requests, r => r.Path.EndsWith(oldest, StringComparison.Ordinal) || r.Path.EndsWith(older, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_the_vault_rejects_fails_the_vault_with_a_clear_error()
    {
        _vault.AddVersion("web", Certificate("web-1", ecdsa: true), T0);
        var source = Source(credential: _vault.ForeignCredential);

        var error = await Assert.ThrowsAsync<KeyVaultListingException>(() => ListAsync(source));

        Assert.Equal(401, error.Status);
        Assert.Equal(_vault.VaultUri, error.VaultUri);
        Assert.Contains($"Key Vault {_vault.VaultUri.GetLeftPart(UriPartial.Authority)} rejected the credential (HTTP 401 Unauthorized) while listing certificates", error.Message);
        Assert.Contains(_vault.Requests, r => r.HasToken);
    }

    [Fact]
    public async Task A_vault_that_refuses_listing_fails_with_a_clear_error()
    {
        _vault.AddVersion("web", Certificate("web-1", ecdsa: true), T0);
        _vault.DenyListing = true;

        var error = await Assert.ThrowsAsync<KeyVaultListingException>(() => ListAsync(Source()));

        Assert.Equal(403, error.Status);
        Assert.Contains("refused listing certificates (HTTP 403 Forbidden)", error.Message);
        Assert.Contains("certificates/list", error.Message);
    }

    [Fact]
    public async Task An_unreachable_vault_fails_with_a_clear_error()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var vaultUri = new Uri($"https://127.0.0.1:{port}/");
        var source = new KeyVaultCertificateSource(
            new KeyVaultClientFactory(_vault.Credential, _vault.ClientOptions(maxRetries: 0)), Options(), _logger);

        var error = await Assert.ThrowsAsync<KeyVaultListingException>(() => ListAsync(source, vaultUri));

        Assert.Equal(0, error.Status);
        Assert.StartsWith($"Key Vault https://127.0.0.1:{port} could not be reached while listing certificates", error.Message);
    }

    [Fact]
    public async Task A_vault_whose_host_is_not_the_challenge_resource_never_receives_a_token()
    {
        _vault.AddVersion("web", Certificate("web-1", ecdsa: true), T0);
        var options = _vault.ClientOptions();
        options.DisableChallengeResourceVerification = false;
        var source = new KeyVaultCertificateSource(new KeyVaultClientFactory(_vault.Credential, options), Options(), _logger);

        var error = await Assert.ThrowsAsync<KeyVaultListingException>(() => ListAsync(source));

        Assert.Contains("does not match the requested domain", error.Message);
        Assert.Empty(_vault.TokenRequests);
        Assert.DoesNotContain(_vault.Requests, r => r.HasToken);
    }

    [Fact]
    public async Task Tokens_never_travel_over_plain_http()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var httpVault = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");

            var refused = Assert.Throws<ArgumentException>(() => new KeyVaultClientFactory(_vault.Credential).GetCertificateClient(httpVault));
            Assert.Equal("vaultUri", refused.ParamName);

            // Past our guard, the SDK itself refuses before any byte leaves; the options we pass do not change that.
            var client = new CertificateClient(httpVault, _vault.Credential, _vault.ClientOptions(maxRetries: 0));
            var sdkRefusal = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            {
                await foreach (var _ in client.GetPropertiesOfCertificatesAsync())
                {
                }
            });
            Assert.Contains("non TLS", sdkRefusal.Message);
            Assert.False(listener.Pending());
            Assert.Empty(_vault.TokenRequests);
        }
        finally
        {
            listener.Stop();
        }
    }

    private KeyVaultCertificateSource Source(int maxVersions = 20, TokenCredential? credential = null) =>
        new(new KeyVaultClientFactory(credential ?? _vault.Credential, _vault.ClientOptions()), Options(maxVersions), _logger);

    private static IOptions<DiscoveryOptions> Options(int maxVersions = 20) =>
        Microsoft.Extensions.Options.Options.Create(new DiscoveryOptions { MaxVersionsPerVaultCertificate = maxVersions });

    private async Task<List<VaultCertificate>> ListAsync(KeyVaultCertificateSource source, Uri? vaultUri = null)
    {
        var listed = new List<VaultCertificate>();
        await foreach (var certificate in source.ListAsync(vaultUri ?? _vault.VaultUri, CancellationToken.None))
        {
            listed.Add(certificate);
        }

        return listed;
    }

    private static byte[] Certificate(string commonName, bool ecdsa)
    {
        using AsymmetricAlgorithm key = ecdsa ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : RSA.Create(2048);
        var request = key is ECDsa ec
            ? new CertificateRequest("CN=" + commonName, ec, HashAlgorithmName.SHA256)
            : new CertificateRequest("CN=" + commonName, (RSA)key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(T0.AddDays(-1), T0.AddDays(90));
        return certificate.RawData;
    }
}
