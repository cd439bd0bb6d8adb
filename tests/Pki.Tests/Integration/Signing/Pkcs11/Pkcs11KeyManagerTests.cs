using System.Diagnostics;
using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Pki.Core.Signing;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Signing.Pkcs11;

/// <summary>Against the real SoftHSM2 token that local/test initialised.</summary>
public sealed class Pkcs11KeyManagerTests
{
    public static TheoryData<KeyAlgorithm, SignatureScheme> Combinations => new()
    {
        { KeyAlgorithm.EcP256, SignatureScheme.EcdsaSha256 },
        { KeyAlgorithm.EcP384, SignatureScheme.EcdsaSha384 },
        { KeyAlgorithm.EcP384, SignatureScheme.EcdsaSha256 },
        { KeyAlgorithm.Rsa2048, SignatureScheme.RsaPkcs1Sha256 },
        { KeyAlgorithm.Rsa2048, SignatureScheme.RsaPssSha256 },
        { KeyAlgorithm.Rsa3072, SignatureScheme.RsaPkcs1Sha256 },
        { KeyAlgorithm.Rsa3072, SignatureScheme.RsaPssSha256 },
    };

    private static Pkcs11KeyManagerTestsContext Token => new(SharedPkcs11.Instance);

    [Theory]
    [MemberData(nameof(Combinations))]
    public async Task Key_made_in_the_token_signs_what_dotnet_verifies_with_its_public_key(KeyAlgorithm algorithm, SignatureScheme scheme)
    {
        var uri = KeyUri.Pkcs11(TestEnvironment.TokenLabel, TestEnvironment.UniqueId("k-"));
        var created = await Token.Keys.CreateKeyAsync(new CreateKeyRequest(uri, algorithm));
        Assert.Equal(algorithm, created.Algorithm);
        Assert.Equal(algorithm, PublicKeys.Identify(created.SubjectPublicKeyInfo));

        var signer = await Token.Keys.CreateSignerAsync(new CreateSignerRequest(uri, scheme));
        var data = RandomNumberGenerator.GetBytes(777);
        var signature = signer.Sign(data);

        if (algorithm.IsEc())
        {
            using var ec = ECDsa.Create();
            ec.ImportSubjectPublicKeyInfo(created.SubjectPublicKeyInfo, out _);
            var hash = scheme == SignatureScheme.EcdsaSha256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA384;
            Assert.True(ec.VerifyData(data, signature, hash, DSASignatureFormat.Rfc3279DerSequence));
            Assert.False(ec.VerifyData((byte[])[.. data, 1], signature, hash, DSASignatureFormat.Rfc3279DerSequence));
        }
        else
        {
            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(created.SubjectPublicKeyInfo, out _);
            var padding = scheme == SignatureScheme.RsaPssSha256 ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
            Assert.True(rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, padding));
            Assert.False(rsa.VerifyData((byte[])[.. data, 1], signature, HashAlgorithmName.SHA256, padding));
        }

        // Reading the key back gives the same public key.
        var read = await Token.Keys.GetPublicKeyAsync(new GetPublicKeyRequest(uri));
        Assert.Equal(created.SubjectPublicKeyInfo, read!.SubjectPublicKeyInfo);
    }

    [Fact]
    public async Task Private_keys_are_sensitive_non_extractable_and_their_value_cannot_be_read()
    {
        foreach (var algorithm in new[] { KeyAlgorithm.EcP256, KeyAlgorithm.Rsa2048 })
        {
            var uri = KeyUri.Pkcs11(TestEnvironment.TokenLabel, TestEnvironment.UniqueId("x-"));
            await Token.Keys.CreateKeyAsync(new CreateKeyRequest(uri, algorithm));
            var (sensitive, extractable) = Token.Keys.GetPrivateKeyProtection(uri);
            Assert.True(sensitive);
            Assert.False(extractable);
            Assert.Null(Token.Keys.TryReadPrivateValue(uri));
        }
    }

    [Theory]
    [InlineData(KeyAlgorithm.EcP256)]
    [InlineData(KeyAlgorithm.Rsa2048)]
    public async Task Private_keys_may_only_sign_and_public_keys_only_verify(KeyAlgorithm algorithm)
    {
        var name = TestEnvironment.UniqueId("u-");
        var uri = KeyUri.Pkcs11(TestEnvironment.TokenLabel, name);
        await Token.Keys.CreateKeyAsync(new CreateKeyRequest(uri, algorithm));

        var privateFlags = Token.Keys.GetKeyFlags(uri, CKO.CKO_PRIVATE_KEY, [CKA.CKA_SIGN, CKA.CKA_SIGN_RECOVER, CKA.CKA_DECRYPT, CKA.CKA_UNWRAP, CKA.CKA_DERIVE]);
        Assert.Equal([CKA.CKA_SIGN], privateFlags.Where(f => f.Value).Select(f => f.Key));
        var publicFlags = Token.Keys.GetKeyFlags(uri, CKO.CKO_PUBLIC_KEY, [CKA.CKA_VERIFY, CKA.CKA_VERIFY_RECOVER, CKA.CKA_ENCRYPT, CKA.CKA_WRAP, CKA.CKA_DERIVE]);
        Assert.Equal([CKA.CKA_VERIFY], publicFlags.Where(f => f.Value).Select(f => f.Key));

        // GnuTLS's p11tool reads the token on its own: it marks neither key for wrapping, and the private one sensitive.
        var listing = P11ToolList(name);
        Assert.Equal(2, listing.Split('\n').Count(l => l.TrimStart().StartsWith("Type:", StringComparison.Ordinal)));
        Assert.DoesNotContain("CKA_WRAP/UNWRAP", listing);
        Assert.Contains("CKA_SENSITIVE", listing);
    }

    [Fact]
    public async Task Absent_key_reads_as_null_and_a_second_create_is_refused()
    {
        var uri = KeyUri.Pkcs11(TestEnvironment.TokenLabel, TestEnvironment.UniqueId("d-"));
        Assert.Null(await Token.Keys.GetPublicKeyAsync(new GetPublicKeyRequest(uri)));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Token.Keys.CreateSignerAsync(new CreateSignerRequest(uri, SignatureScheme.EcdsaSha256)));

        await Token.Keys.CreateKeyAsync(new CreateKeyRequest(uri, KeyAlgorithm.EcP256));
        var e = await Assert.ThrowsAsync<KeyAlreadyExistsException>(() => Token.Keys.CreateKeyAsync(new CreateKeyRequest(uri, KeyAlgorithm.EcP256)));
        Assert.Equal(uri, e.KeyUri);
    }

    [Fact]
    public async Task Scheme_that_does_not_fit_the_key_and_foreign_tokens_are_refused()
    {
        var uri = KeyUri.Pkcs11(TestEnvironment.TokenLabel, TestEnvironment.UniqueId("s-"));
        await Token.Keys.CreateKeyAsync(new CreateKeyRequest(uri, KeyAlgorithm.EcP256));
        await Assert.ThrowsAsync<ArgumentException>(() => Token.Keys.CreateSignerAsync(new CreateSignerRequest(uri, SignatureScheme.RsaPssSha256)));

        var foreign = KeyUri.Pkcs11("another-token", "k");
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Token.Keys.GetPublicKeyAsync(new GetPublicKeyRequest(foreign)));
        Assert.Contains("another-token", e.Message);
    }

    [Fact]
    public async Task Concurrent_signing_from_many_threads_gives_valid_signatures()
    {
        var uri = KeyUri.Pkcs11(TestEnvironment.TokenLabel, TestEnvironment.UniqueId("c-"));
        var key = await Token.Keys.CreateKeyAsync(new CreateKeyRequest(uri, KeyAlgorithm.EcP256));
        var signer = await Token.Keys.CreateSignerAsync(new CreateSignerRequest(uri, SignatureScheme.EcdsaSha256));
        using var ec = ECDsa.Create();
        ec.ImportSubjectPublicKeyInfo(key.SubjectPublicKeyInfo, out _);

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() =>
        {
            var data = BitConverter.GetBytes(i);
            return ec.VerifyData(data, signer.Sign(data), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        })));
        Assert.All(results, Assert.True);
    }

    /// <summary>What p11tool lists for the objects labelled <paramref name="label"/> in the test token.</summary>
    private static string P11ToolList(string label)
    {
        var psi = new ProcessStartInfo("p11tool")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList =
            {
                "--provider", TestEnvironment.Pkcs11Library, "--login", "--set-pin=" + TestEnvironment.UserPin,
                "--list-all", $"pkcs11:token={Uri.EscapeDataString(TestEnvironment.TokenLabel)};object={Uri.EscapeDataString(label)}",
            },
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("p11tool --list-all did not finish in 60 s");
        }

        Assert.True(process.ExitCode == 0, stderr.Result);
        return stdout.Result;
    }

    private sealed record Pkcs11KeyManagerTestsContext(Pki.Core.Signing.Pkcs11.Pkcs11KeyManager Keys);
}
