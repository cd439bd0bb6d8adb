namespace Pki.Core.Inventory;

/// <summary>How urgently a finding needs someone.</summary>
public enum FindingSeverity
{
    Low,
    Medium,
    High,
    Critical,
}
