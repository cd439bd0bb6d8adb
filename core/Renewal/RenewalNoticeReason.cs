namespace Pki.Core.Renewal;

/// <summary>Why a due certificate was not renewed automatically.</summary>
public enum RenewalNoticeReason
{
    /// <summary>The certificate (or its request) has auto-renewal off.</summary>
    AutoRenewOff,

    /// <summary><c>Pki:Renewal:RequireNewKey</c> is set: the owner must send a CSR for a new key.</summary>
    NewKeyRequired,

    /// <summary>Policy refuses the same key or names now (for example a rule tightened since issuance).</summary>
    PolicyRefused,

    /// <summary>Its external renewer (an ACME client) let the renewal window pass without a replacement (<see cref="IExternalRenewal"/>).</summary>
    RenewalWindowPassed,
}
