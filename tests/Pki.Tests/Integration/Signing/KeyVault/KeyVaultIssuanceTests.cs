using Pki.Core.Access;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pki.Core;
using Pki.Core.Authority;
using Pki.Core.Authority.Policy;
using Pki.Core.Revocation;
using Pki.Core.Signing;
using Pki.Core.Signing.KeyVault;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Signing.KeyVault;

/// <summary>
/// The CA hierarchy bootstrapped in Key Vault (the <see cref="KeyVaultKeysDouble"/>), its records in the real
/// tables, and a leaf issued through the Key Vault signer that openssl verifies.
/// </summary>
public sealed class KeyVaultIssuanceTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
    private KeyVaultKeysDouble _vault = null!;

    public async Task InitializeAsync() => _vault = await KeyVaultKeysDouble.StartAsync();

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Theory]
    [InlineData(KeyAlgorithm.EcP384, KeyAlgorithm.EcP256, null)]
    [InlineData(KeyAlgorithm.Rsa3072, KeyAlgorithm.Rsa2048, SignatureScheme.RsaPssSha256)]
    [InlineData(KeyAlgorithm.EcP256, KeyAlgorithm.Rsa2048, null)]
    public async Task A_leaf_issued_through_key_vault_passes_openssl_verify(KeyAlgorithm rootAlgorithm, KeyAlgorithm issuingAlgorithm, SignatureScheme? issuingScheme)
    {
        var pki = new PkiOptions
        {
            PublicBaseUrl = "http://pki.test",
            Signing = { Provider = SigningOptions.KeyVaultProvider, KeyVault = { VaultUri = _vault.VaultUri.ToString() } },
            Storage = { ConnectionString = TestEnvironment.StorageConnectionString, TablePrefix = TestEnvironment.UniqueId("kv") },
            Ca =
            {
                RootId = TestEnvironment.UniqueId("root-"),
                IssuingId = TestEnvironment.UniqueId("issuing-"),
                RootKeyAlgorithm = rootAlgorithm,
                IssuingKeyAlgorithm = issuingAlgorithm,
                IssuingSignatureScheme = issuingScheme,
            },
        };
        Assert.True(new PkiOptionsValidator().Validate(null, pki).Succeeded);
        var options = Options.Create(pki);
        var keys = new KeyVaultKeyManager(Options.Create(pki.Signing.KeyVault), _vault.Credential, NullLogger<KeyVaultKeyManager>.Instance, _vault.ClientOptions());
        var authorities = new TableAuthorityStore(new TableStorage(options));
        var factory = new CertificateFactory(new CaUrls(options));

        var (root, issuing) = await new CaBootstrapper(new CaKeys(keys, new InMemoryKeyRecordStore(), options, _time, NullLogger<CaKeys>.Instance), authorities, factory, InMemoryAuditStore.Trail(_time).Trail, _time, options, NullLogger<CaBootstrapper>.Instance)
            .EnsureHierarchyAsync();

        // The records, read back from the tables, name the provider and the exact key versions.
        foreach (var (ca, id) in new[] { (root, pki.Ca.RootId), (issuing, pki.Ca.IssuingId) })
        {
            var stored = await authorities.GetAsync(id);
            Assert.NotNull(stored);
            Assert.Equal("keyvault", stored.KeyProvider);
            Assert.Equal(ca.KeyUri, stored.KeyUri);
            Assert.Equal(KeyUri.AzureKmsScheme, stored.KeyUri.Scheme);
            Assert.Equal(KeyVaultKeysDouble.VaultName, stored.KeyUri["vault"]);
            Assert.Equal(id, stored.KeyUri["name"]);
            Assert.NotNull(stored.KeyUri.GetAttribute("version"));
        }

        var directory = new AuthorityDirectory(authorities, keys, options);
        var ra = new RegistrationAuthority(new ProfileCatalog(options), [new OwnerRule(), new SubjectAltNameRule(), new NameRule(options), new LifetimeRule()], new CallerContext());
        var certificates = new InMemoryCertificateStore();
        var journal = new InMemoryIssuanceJournal();
        var issuer = new CertificateIssuer(directory, factory, new RecordedIssuance(certificates, journal, _time, NullLogger<RecordedIssuance>.Instance), certificates, [], journal, InMemoryAuditStore.Trail(_time).Trail, new CrlShardCount(options), _time, NullLogger<CertificateIssuer>.Instance);
        var service = new CertificateService(ra, issuer, directory, certificates, new InMemoryRequestStore(), InMemoryAuditStore.Trail(_time).Trail, _time, new CallerContext(), NullLogger<CertificateService>.Instance);
        var csr = Convert.ToBase64String(Csrs.Ec("svc.internal", ["svc.internal"]));

        var outcome = await service.RequestAsync(new CertificateRequestInput(csr, ProfileNames.TlsServer, "alice", null), null);

        using var ssl = new Openssl();
        var rootPem = ssl.Write("root.pem", Pem.Certificate(root.CertificateDer));
        var chainPem = ssl.Write("issuing.pem", Pem.Certificate(issuing.CertificateDer));
        var leafPem = ssl.Write("leaf.pem", outcome.Certificate.CertificatePem);
        // Issued on the fake clock, so judged at its time: openssl's own clock would make the verdict depend on today's date.
        Openssl.AssertVerifies(rootPem, chainPem, leafPem, "sslserver", _time.GetUtcNow());
        Assert.Contains(_vault.Requests, r => r.Path == $"/keys/{pki.Ca.IssuingId}/{issuing.KeyUri["version"]}/sign");
    }

    [Fact]
    public async Task Keys_made_beforehand_by_the_deployment_are_used_not_replaced()
    {
        var pki = new PkiOptions
        {
            PublicBaseUrl = "http://pki.test",
            Signing = { Provider = SigningOptions.KeyVaultProvider, KeyVault = { VaultUri = _vault.VaultUri.ToString() } },
            Ca = { RootId = TestEnvironment.UniqueId("root-"), IssuingId = TestEnvironment.UniqueId("issuing-") },
        };
        var options = Options.Create(pki);
        var client = new KeyVaultKeysClient(_vault.VaultUri, _vault.Credential, _vault.ClientOptions());
        var rootKey = await client.CreateKeyAsync(pki.Ca.RootId, KeyAlgorithm.EcP384);
        var issuingKey = await client.CreateKeyAsync(pki.Ca.IssuingId, KeyAlgorithm.EcP256);
        var keys = new KeyVaultKeyManager(Options.Create(pki.Signing.KeyVault), _vault.Credential, NullLogger<KeyVaultKeyManager>.Instance, _vault.ClientOptions());

        var (root, issuing) = await new CaBootstrapper(new CaKeys(keys, new InMemoryKeyRecordStore(), options, _time, NullLogger<CaKeys>.Instance), new InMemoryAuthorityStore(), new CertificateFactory(new CaUrls(options)), InMemoryAuditStore.Trail(_time).Trail, _time, options, NullLogger<CaBootstrapper>.Instance)
            .EnsureHierarchyAsync();

        Assert.Equal(rootKey.Version, root.KeyUri["version"]);
        Assert.Equal(issuingKey.Version, issuing.KeyUri["version"]);
        Assert.Equal(issuingKey.SubjectPublicKeyInfo, issuing.Certificate.CertificateStructure.SubjectPublicKeyInfo.GetEncoded());
        Assert.Equal(1, _vault.VersionCount(pki.Ca.RootId));
        Assert.Equal(1, _vault.VersionCount(pki.Ca.IssuingId));
    }
}
