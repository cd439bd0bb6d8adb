namespace Pki.Core.Access;

/// <summary>A team's grants: the names its requesters may put in certificates.</summary>
public sealed class TeamOptions
{
    /// <summary>Exact DNS names or IP addresses, or <c>*.suffix</c> for any name below the suffix (any depth).</summary>
    public List<string> Names { get; set; } = [];
}
