using System.Security.Cryptography;
using Pki.Core.Signing;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.Integration.Signing.Pkcs11;

[Collection(TokenExclusiveCollection.Name)]
public sealed class Pkcs11RecoveryTests
{
    [Fact]
    public async Task Signing_recovers_after_the_token_forgets_the_login()
    {
        var keys = SharedPkcs11.Instance;
        var uri = KeyUri.Pkcs11(TestEnvironment.TokenLabel, TestEnvironment.UniqueId("l-"));
        var key = await keys.CreateKeyAsync(new CreateKeyRequest(uri, KeyAlgorithm.EcP256));
        var signer = await keys.CreateSignerAsync(new CreateSignerRequest(uri, SignatureScheme.EcdsaSha256));
        using var ec = ECDsa.Create();
        ec.ImportSubjectPublicKeyInfo(key.SubjectPublicKeyInfo, out _);
        var data = RandomNumberGenerator.GetBytes(64);
        Assert.True(ec.VerifyData(data, signer.Sign(data), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

        keys.LogoutForTesting();

        Assert.True(ec.VerifyData(data, signer.Sign(data), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.NotNull(await keys.GetPublicKeyAsync(new GetPublicKeyRequest(uri)));
    }
}
