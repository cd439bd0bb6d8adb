namespace Pki.Core.Renewal;

/// <summary>What the renewer did with one message.</summary>
public enum RenewalOutcome
{
    Renewed,
    AlreadyRenewed,
    OwnerNotified,
    NotRenewable,
    Unknown,

    /// <summary>The successor is on its way to a Key Vault that refused or did not answer; the delivery resume pass continues it.</summary>
    Deferred,
}
