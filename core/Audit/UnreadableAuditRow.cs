namespace Pki.Core.Audit;

/// <summary>
/// A stored row of the listed range that could not be read as written (a property's type was changed in the table):
/// listed in place of its record, so the rest of the page is still served. Verification reports it as a break.
/// </summary>
/// <param name="Sequence">The sequence its row key names; null for a key of another shape.</param>
/// <param name="Detail">Which property is stored as what.</param>
public sealed record UnreadableAuditRow(long? Sequence, string Detail);
