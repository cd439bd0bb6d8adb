namespace Pki.Core.Inventory;

/// <summary>A finding as the API shows it.</summary>
public sealed record FindingView(string Code, string Severity, string Message, string? Location)
{
    public static FindingView From(Finding f) => new(f.Code, f.Severity.ToString().ToLowerInvariant(), f.Message, f.Location);
}
