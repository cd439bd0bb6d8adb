namespace Pki.Core.Signing.Pkcs11;

/// <summary>Where the PKCS#11 module and token are. Bound from <c>Pki:Signing:Pkcs11</c>.</summary>
public sealed class Pkcs11Options
{
    /// <summary>Path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so.</summary>
    public string LibraryPath { get; set; } = string.Empty;

    /// <summary>Label of the token that holds the CA keys.</summary>
    public string TokenLabel { get; set; } = string.Empty;

    /// <summary>User PIN; supplied by the environment or a secret store, never committed.</summary>
    public string UserPin { get; set; } = string.Empty;

    /// <summary>Sessions kept open for signing; more than the cores brings nothing with SoftHSM2.</summary>
    public int MaxSessions { get; set; } = 8;
}
