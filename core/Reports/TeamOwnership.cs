namespace Pki.Core.Reports;

/// <summary>One team, its owners and how many certificates the team holds.</summary>
public sealed record TeamOwnership(string Team, int Count, IReadOnlyList<OwnerCertificates> Owners);
