namespace Pki.Core.Access;

/// <summary>
/// One API or function key. Only the key's SHA-256 (hex) is configured, so configuration holds no secret that
/// would let a reader call the API.
/// </summary>
public sealed class KeyCredentialOptions
{
    /// <summary>SHA-256 of the key's UTF-8 bytes, 64 hex digits.</summary>
    public string Sha256 { get; set; } = string.Empty;

    /// <summary>The identity the key acts as (audit "who"); the key's name when empty.</summary>
    public string? Identity { get; set; }

    public string? Team { get; set; }

    public List<string> Roles { get; set; } = [];
}
