namespace Pki.Core.Notifications;

/// <summary>A notice sent to (or about a certificate of) <paramref name="Owner"/>, kept for the owner's daily digest.</summary>
public sealed record DigestEntry(string Owner, DateTimeOffset SentAt, Notice Notice);
