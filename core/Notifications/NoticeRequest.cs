namespace Pki.Core.Notifications;

/// <summary>
/// The message on the <c>notifications</c> queue: tell <paramref name="Level"/> that the certificate
/// <paramref name="Fingerprint"/> (SHA-256, hex) has crossed <paramref name="ThresholdDays"/> (0: it expired).
/// The rest of the notice is read from the inventory when it is sent, so it is current.
/// </summary>
public sealed record NoticeRequest(string Fingerprint, int ThresholdDays, RecipientLevel Level);
