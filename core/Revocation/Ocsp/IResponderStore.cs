namespace Pki.Core.Revocation.Ocsp;

public interface IResponderStore
{
    Task<ResponderRecord?> GetAsync(string issuerId, CancellationToken cancellationToken = default);

    /// <summary>Stores the new responder if the stored one is still <paramref name="previous"/> (null: none yet); false when another instance replaced it first.</summary>
    Task<bool> TryReplaceAsync(ResponderRecord next, ResponderRecord? previous, CancellationToken cancellationToken = default);
}
