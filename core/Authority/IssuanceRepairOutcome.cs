namespace Pki.Core.Authority;

/// <summary>What one repair pass did: certificates finished, reservations abandoned, hours that failed.</summary>
public sealed class IssuanceRepairOutcome
{
    public int Finished { get; set; }

    public int Abandoned { get; set; }

    public int FailedHours { get; set; }
}
