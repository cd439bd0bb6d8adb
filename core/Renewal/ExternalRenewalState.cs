namespace Pki.Core.Renewal;

/// <summary>Where an externally renewed certificate stands.</summary>
public enum ExternalRenewalState
{
    /// <summary>A successor replaced it: nothing to do.</summary>
    Replaced,

    /// <summary>Its renewer may still replace it; the external party looks again when that time is over.</summary>
    Waiting,

    /// <summary>Its renewer's time passed without a replacement: the owner is told, as for a certificate the renewer could not renew.</summary>
    Overdue,
}
