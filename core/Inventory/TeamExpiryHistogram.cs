namespace Pki.Core.Inventory;

/// <summary>One team's certificates expiring in each of the next weeks: <see cref="Weeks"/>[0] within 7 days, [1] in days 7–13, and so on.</summary>
public sealed record TeamExpiryHistogram(string Team, IReadOnlyList<int> Weeks);
