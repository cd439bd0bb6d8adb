namespace Pki.Core.Signing.KeyVault;

/// <summary>One version of a Key Vault key as the client reads it: its identity and public half only.</summary>
public sealed record KeyVaultKey(
    string Name,
    string Version,
    Uri Id,
    string KeyType,
    KeyAlgorithm Algorithm,
    byte[] SubjectPublicKeyInfo,
    IReadOnlyList<string> Operations)
{
    public bool CanSign => Operations.Contains("sign", StringComparer.Ordinal);
}
