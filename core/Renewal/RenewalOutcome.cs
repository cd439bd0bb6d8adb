namespace Pki.Core.Renewal;

/// <summary>What the renewer did with one message.</summary>
public enum RenewalOutcome
{
    Renewed,
    AlreadyRenewed,
    OwnerNotified,
    NotRenewable,
    Unknown,
}
