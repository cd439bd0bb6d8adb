namespace Pki.Core.Signing;

/// <summary>A key with that URI exists already; creating keys never overwrites one.</summary>
public sealed class KeyAlreadyExistsException(KeyUri keyUri)
    : InvalidOperationException($"Key {keyUri} already exists.")
{
    public KeyUri KeyUri { get; } = keyUri;
}
