namespace Pki.Core.Inventory;

/// <summary>
/// Maps names to a team and owner: <see cref="Pattern"/> is matched, case-insensitively, against a
/// certificate's DNS names and subject common name; <c>*</c> stands for any run of characters.
/// </summary>
public sealed class OwnerRuleOptions
{
    public string Pattern { get; set; } = string.Empty;

    public string? Team { get; set; }

    public string? Owner { get; set; }
}
