using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pki.Core.Signing.Pkcs11;

namespace Pki.Tests.Infrastructure;

/// <summary>
/// A PKCS#11 module is initialised once per process (C_Initialize/C_Finalize are process-wide), so all
/// tests share one key manager on the SoftHSM2 token that local/test created.
/// </summary>
public static class SharedPkcs11
{
    private static readonly Lazy<Pkcs11KeyManager> Manager = new(() => new Pkcs11KeyManager(
        Options.Create(new Pkcs11Options
        {
            LibraryPath = TestEnvironment.Pkcs11Library,
            TokenLabel = TestEnvironment.TokenLabel,
            UserPin = TestEnvironment.UserPin,
        }),
        NullLogger<Pkcs11KeyManager>.Instance));

    public static Pkcs11KeyManager Instance => Manager.Value;
}
