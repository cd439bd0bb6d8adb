namespace Pki.Core.Notifications;

public sealed record ClaimResult(ClaimOutcome Outcome, NoticeRecord Record);
