namespace Pki.Core.Signing;

/// <summary>A key with that URI exists already; creating keys never overwrites one.</summary>
public sealed class KeyAlreadyExistsException(KeyUri keyUri, string? detail = null)
    : InvalidOperationException($"Key {keyUri} already exists.{(detail is null ? "" : " " + detail)}")
{
    public KeyUri KeyUri { get; } = keyUri;
}
