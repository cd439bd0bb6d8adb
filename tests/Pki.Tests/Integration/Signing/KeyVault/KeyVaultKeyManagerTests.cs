using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pki.Core;
using Pki.Core.Signing;
using Pki.Core.Signing.KeyVault;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Signing.KeyVault;

/// <summary>The Key Vault key manager and its REST client against <see cref="KeyVaultKeysDouble"/>, which follows the public contract.</summary>
public sealed class KeyVaultKeyManagerTests : IAsyncLifetime
{
    private KeyVaultKeysDouble _vault = null!;

    public async Task InitializeAsync() => _vault = await KeyVaultKeysDouble.StartAsync();

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    private KeyVaultKeyManager Manager(bool verifyChallengeResource = false, Azure.Core.TokenCredential? credential = null) => new(
        Options.Create(new KeyVaultOptions { VaultUri = _vault.VaultUri.ToString() }),
        credential ?? _vault.Credential,
        NullLogger<KeyVaultKeyManager>.Instance,
        _vault.ClientOptions(verifyChallengeResource));

    private static KeyUri Uri_(string name) => KeyUri.AzureKms(KeyVaultKeysDouble.VaultName, name);

    public static TheoryData<KeyAlgorithm, SignatureScheme> Schemes => new()
    {
        { KeyAlgorithm.EcP256, SignatureScheme.EcdsaSha256 },
        { KeyAlgorithm.EcP384, SignatureScheme.EcdsaSha384 },
        { KeyAlgorithm.Rsa2048, SignatureScheme.RsaPkcs1Sha256 },
        { KeyAlgorithm.Rsa2048, SignatureScheme.RsaPssSha256 },
        { KeyAlgorithm.Rsa3072, SignatureScheme.RsaPssSha256 },
    };

    [Theory]
    [MemberData(nameof(Schemes))]
    public async Task A_created_key_reads_back_and_its_signatures_verify(KeyAlgorithm algorithm, SignatureScheme scheme)
    {
        var manager = Manager();
        var name = TestEnvironment.UniqueId("k-");

        var created = await manager.CreateKeyAsync(new CreateKeyRequest(Uri_(name), algorithm));
        var read = await manager.GetPublicKeyAsync(new GetPublicKeyRequest(Uri_(name)));

        Assert.NotNull(read);
        Assert.Equal(created.KeyUri, read.KeyUri);
        Assert.Equal(algorithm, read.Algorithm);
        Assert.Equal(created.SubjectPublicKeyInfo, read.SubjectPublicKeyInfo);
        Assert.Equal(algorithm, PublicKeys.Identify(read.SubjectPublicKeyInfo));
        Assert.Matches("^[0-9a-f]{32}$", created.KeyUri.GetAttribute("version"));
        Assert.Equal(created.KeyUri, KeyUri.Parse(created.KeyUri.ToString()));

        var signer = await manager.CreateSignerAsync(new CreateSignerRequest(Uri_(name), scheme));
        var data = RandomNumberGenerator.GetBytes(300);
        var signature = signer.Sign(data);
        Assert.True(Verify(read.SubjectPublicKeyInfo, scheme, data, signature), "the signature does not verify under the key's public half");

        var create = Assert.Single(_vault.Requests, r => r.Path.EndsWith("/create", StringComparison.Ordinal) && r.HasToken);
        var body = JsonNode.Parse(create.Body)!;
        Assert.Equal(algorithm.IsEc() ? "EC-HSM" : "RSA-HSM", (string?)body["kty"]);
        Assert.False((bool)body["attributes"]!["exportable"]!);
        Assert.Equal(["sign", "verify"], body["key_ops"]!.AsArray().Select(o => (string)o!));
        Assert.All(_vault.Requests, r => Assert.Contains("api-version=7.5", r.Query, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Signatures_pass_openssl_with_the_key_vault_public_key()
    {
        var manager = Manager();
        var name = TestEnvironment.UniqueId("o-");
        var key = await manager.CreateKeyAsync(new CreateKeyRequest(Uri_(name), KeyAlgorithm.EcP384));
        var signer = await manager.CreateSignerAsync(new CreateSignerRequest(key.KeyUri, SignatureScheme.EcdsaSha384));
        var data = RandomNumberGenerator.GetBytes(100);

        using var ssl = new Openssl();
        var pub = ssl.Write("pub.der", key.SubjectPublicKeyInfo);
        var input = ssl.Write("data.bin", data);
        var sig = ssl.Write("sig.der", signer.Sign(data));
        var result = Openssl.Run("dgst", "-sha384", "-verify", pub, "-keyform", "DER", "-signature", sig, input);
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Contains("Verified OK", result.Stdout);
    }

    [Fact]
    public async Task The_first_request_is_challenged_and_the_token_is_asked_for_the_vault_resource_in_its_tenant()
    {
        var manager = Manager();
        var name = TestEnvironment.UniqueId("c-");
        await manager.CreateKeyAsync(new CreateKeyRequest(Uri_(name), KeyAlgorithm.EcP256));

        var requests = _vault.Requests;
        Assert.False(requests[0].HasToken);
        Assert.Equal(string.Empty, requests[0].Body);
        Assert.All(requests.Skip(1), r => Assert.True(r.HasToken));
        var token = Assert.Single(_vault.TokenRequests);
        Assert.Equal([KeyVaultKeysDouble.Scope], token.Scopes);
        Assert.Equal(KeyVaultKeysDouble.Tenant, token.TenantId);

        // The challenge is remembered: the next call goes straight in with the cached token.
        var before = _vault.Requests.Count;
        await manager.GetPublicKeyAsync(new GetPublicKeyRequest(Uri_(name)));
        Assert.True(Assert.Single(_vault.Requests.Skip(before)).HasToken);
    }

    [Fact]
    public async Task A_challenge_for_a_resource_outside_the_vault_domain_gets_no_token()
    {
        var manager = Manager(verifyChallengeResource: true);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => manager.GetPublicKeyAsync(new GetPublicKeyRequest(Uri_("any"))));
        Assert.Contains("vault.azure.net", e.Message);
        Assert.Empty(_vault.TokenRequests);
    }

    [Fact]
    public async Task A_challenge_for_the_vault_own_domain_is_followed_with_verification_on()
    {
        _vault.Resource = "https://localhost";
        var manager = Manager(verifyChallengeResource: true);
        Assert.Null(await manager.GetPublicKeyAsync(new GetPublicKeyRequest(Uri_("absent"))));
        Assert.Equal(["https://localhost/.default"], Assert.Single(_vault.TokenRequests).Scopes);
    }

    [Fact]
    public async Task Throttling_with_retry_after_is_waited_out_and_the_signature_still_comes()
    {
        var manager = Manager();
        var name = TestEnvironment.UniqueId("t-");
        var key = await manager.CreateKeyAsync(new CreateKeyRequest(Uri_(name), KeyAlgorithm.EcP256));
        var signer = await manager.CreateSignerAsync(new CreateSignerRequest(key.KeyUri, SignatureScheme.EcdsaSha256));
        var before = _vault.Requests.Count;

        _vault.Throttle(count: 2, retryAfterSeconds: 1);
        var clock = Stopwatch.StartNew();
        var data = RandomNumberGenerator.GetBytes(64);
        var signature = signer.Sign(data);
        clock.Stop();

        Assert.True(Verify(key.SubjectPublicKeyInfo, SignatureScheme.EcdsaSha256, data, signature));
        Assert.Equal(3, _vault.Requests.Count - before);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"Retry-After was not honoured: signed after {clock.Elapsed}");
    }

    [Fact]
    public async Task Throttling_of_the_async_path_is_waited_out_too()
    {
        var client = new KeyVaultKeysClient(_vault.VaultUri, _vault.Credential, _vault.ClientOptions());
        var created = await client.CreateKeyAsync(TestEnvironment.UniqueId("a-"), KeyAlgorithm.Rsa2048);
        _vault.Throttle(count: 1, retryAfterSeconds: 1);
        var digest = SHA256.HashData("x"u8);
        var signature = await client.SignAsync(created.Name, created.Version, "RS256", digest);
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(created.SubjectPublicKeyInfo, out _);
        Assert.True(rsa.VerifyHash(digest, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public async Task A_missing_key_or_version_reads_as_null()
    {
        var manager = Manager();
        Assert.Null(await manager.GetPublicKeyAsync(new GetPublicKeyRequest(Uri_("never-made"))));

        var name = TestEnvironment.UniqueId("v-");
        await manager.CreateKeyAsync(new CreateKeyRequest(Uri_(name), KeyAlgorithm.EcP256));
        var absentVersion = KeyUri.AzureKms(KeyVaultKeysDouble.VaultName, name, "0123456789abcdef0123456789abcdef");
        Assert.Null(await manager.GetPublicKeyAsync(new GetPublicKeyRequest(absentVersion)));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => manager.CreateSignerAsync(new CreateSignerRequest(absentVersion, SignatureScheme.EcdsaSha256)));
    }

    [Theory]
    [InlineData("create", "Key Vault Crypto Officer")]
    [InlineData("get", "Key Vault Crypto User")]
    [InlineData("sign", "Key Vault Crypto User")]
    public async Task A_refusal_names_the_vault_and_the_role_needed(string operation, string role)
    {
        var manager = Manager();
        var name = TestEnvironment.UniqueId("f-");
        ISigner? signer = null;
        if (operation == "sign")
        {
            await manager.CreateKeyAsync(new CreateKeyRequest(Uri_(name), KeyAlgorithm.EcP256));
            signer = await manager.CreateSignerAsync(new CreateSignerRequest(Uri_(name), SignatureScheme.EcdsaSha256));
        }

        _vault.Deny(operation);
        var e = operation switch
        {
            "create" => await Assert.ThrowsAsync<KeyVaultAccessDeniedException>(() => manager.CreateKeyAsync(new CreateKeyRequest(Uri_(name), KeyAlgorithm.EcP256))),
            "get" => await Assert.ThrowsAsync<KeyVaultAccessDeniedException>(() => manager.GetPublicKeyAsync(new GetPublicKeyRequest(Uri_(name)))),
            _ => Assert.Throws<KeyVaultAccessDeniedException>(() => signer!.Sign([1, 2, 3])),
        };

        Assert.Equal(403, e.Status);
        Assert.Contains(_vault.VaultUri.ToString(), e.Message);
        Assert.Contains(role, e.Message);
        Assert.Contains(name, e.Message);
    }

    [Fact]
    public async Task A_token_the_vault_does_not_accept_is_reported_as_denied()
    {
        var manager = Manager(credential: _vault.ForeignCredential);
        var e = await Assert.ThrowsAsync<KeyVaultAccessDeniedException>(() => manager.GetPublicKeyAsync(new GetPublicKeyRequest(Uri_("k"))));
        Assert.Equal(401, e.Status);
    }

    [Fact]
    public async Task Creating_an_existing_key_fails_and_adds_no_version()
    {
        var manager = Manager();
        var name = TestEnvironment.UniqueId("e-");
        await manager.CreateKeyAsync(new CreateKeyRequest(Uri_(name), KeyAlgorithm.EcP256));

        await Assert.ThrowsAsync<KeyAlreadyExistsException>(() => manager.CreateKeyAsync(new CreateKeyRequest(Uri_(name), KeyAlgorithm.EcP256)));
        Assert.Equal(1, _vault.VersionCount(name));
    }

    [Fact]
    public async Task A_name_held_by_a_soft_deleted_key_is_reported_as_taken()
    {
        var manager = Manager();
        var name = TestEnvironment.UniqueId("d-");
        _vault.SoftDelete(name);
        var e = await Assert.ThrowsAsync<KeyAlreadyExistsException>(() => manager.CreateKeyAsync(new CreateKeyRequest(Uri_(name), KeyAlgorithm.EcP256)));
        Assert.Contains("deleted but recoverable", e.Message);
    }

    [Fact]
    public async Task A_signer_stays_on_its_version_when_the_key_is_rotated_in_the_vault()
    {
        var manager = Manager();
        var name = TestEnvironment.UniqueId("r-");
        var original = await manager.CreateKeyAsync(new CreateKeyRequest(Uri_(name), KeyAlgorithm.EcP256));
        var signer = await manager.CreateSignerAsync(new CreateSignerRequest(original.KeyUri, SignatureScheme.EcdsaSha256));

        var rotated = _vault.Rotate(name);
        var data = RandomNumberGenerator.GetBytes(32);
        Assert.True(Verify(original.SubjectPublicKeyInfo, SignatureScheme.EcdsaSha256, data, signer.Sign(data)));
        Assert.Equal(original.KeyUri, signer.Key.KeyUri);

        var current = await manager.GetPublicKeyAsync(new GetPublicKeyRequest(Uri_(name)));
        Assert.Equal(rotated, current!.KeyUri.GetAttribute("version"));
        Assert.NotEqual(original.SubjectPublicKeyInfo, current.SubjectPublicKeyInfo);
    }

    [Fact]
    public async Task Uris_of_another_vault_or_scheme_or_with_a_version_to_create_are_refused()
    {
        var manager = Manager();
        await Assert.ThrowsAsync<ArgumentException>(() => manager.GetPublicKeyAsync(new GetPublicKeyRequest(KeyUri.AzureKms("other-vault", "k"))));
        await Assert.ThrowsAsync<ArgumentException>(() => manager.GetPublicKeyAsync(new GetPublicKeyRequest(KeyUri.Pkcs11("t", "k"))));
        await Assert.ThrowsAsync<ArgumentException>(() => manager.CreateKeyAsync(new CreateKeyRequest(KeyUri.AzureKms(KeyVaultKeysDouble.VaultName, "k", "abc"), KeyAlgorithm.EcP256)));
        Assert.Empty(_vault.Requests);
    }

    [Fact]
    public async Task A_scheme_that_does_not_fit_the_key_is_refused()
    {
        var manager = Manager();
        var name = TestEnvironment.UniqueId("s-");
        await manager.CreateKeyAsync(new CreateKeyRequest(Uri_(name), KeyAlgorithm.EcP256));
        await Assert.ThrowsAsync<ArgumentException>(() => manager.CreateSignerAsync(new CreateSignerRequest(Uri_(name), SignatureScheme.RsaPssSha256)));
    }

    [Fact]
    public void Configuration_naming_keyvault_registers_the_key_vault_key_manager()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pki:PublicBaseUrl"] = "http://pki.test",
            ["Pki:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Pki:Signing:Provider"] = "keyvault",
            ["Pki:Signing:KeyVault:VaultUri"] = "https://pki-test-kv.vault.azure.net/",
            ["Pki:Signing:KeyVault:ManagedIdentityClientId"] = "0f5e3c1a-2b4d-4c6e-8f90-a1b2c3d4e5f6",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddPkiCore(configuration);
        using var provider = services.BuildServiceProvider();

        var keys = Assert.IsType<KeyVaultKeyManager>(provider.GetRequiredService<IKeyManager>());
        Assert.Equal("keyvault", keys.Provider);
        Assert.Equal("pki-test-kv", keys.VaultName);
        Assert.Equal(new Uri("https://pki-test-kv.vault.azure.net/"), keys.VaultUri);
    }

    internal static bool Verify(byte[] spki, SignatureScheme scheme, byte[] data, byte[] signature)
    {
        switch (scheme)
        {
            case SignatureScheme.EcdsaSha256 or SignatureScheme.EcdsaSha384:
                using (var ec = ECDsa.Create())
                {
                    ec.ImportSubjectPublicKeyInfo(spki, out _);
                    var hash = scheme == SignatureScheme.EcdsaSha256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA384;
                    return ec.VerifyData(data, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
                }

            default:
                using (var rsa = RSA.Create())
                {
                    rsa.ImportSubjectPublicKeyInfo(spki, out _);
                    var padding = scheme == SignatureScheme.RsaPssSha256 ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
                    return rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, padding);
                }
        }
    }
}
