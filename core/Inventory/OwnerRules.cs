using System.Text.RegularExpressions;
using Pki.Core.Access;

namespace Pki.Core.Inventory;

/// <summary>
/// The configured name patterns, compiled once; the first rule whose pattern matches a name wins. A rule's team is
/// normalised as every team is (<see cref="Teams.Normalize"/>), so a rule naming "Fleet" files certificates under "fleet".
/// </summary>
public sealed class OwnerRules
{
    private readonly (Regex Pattern, OwnerRuleOptions Rule)[] _rules;

    public OwnerRules(InventoryOptions options)
    {
        _rules = (options.OwnerRules ?? [])
            .Select(r => (new Regex("^" + Regex.Escape(r.Pattern).Replace(@"\*", ".*", StringComparison.Ordinal) + "$",
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)),
                new OwnerRuleOptions { Pattern = r.Pattern, Team = Teams.Normalize(r.Team), Owner = r.Owner }))
            .ToArray();
    }

    /// <summary>The team and owner of the first rule that matches a DNS name or the common name; null when none does.</summary>
    public OwnerRuleOptions? Match(CertificateFacts facts)
    {
        var names = facts.DnsNames.Append(facts.CommonName).OfType<string>().ToArray();
        return _rules.FirstOrDefault(r => names.Any(r.Pattern.IsMatch)).Rule;
    }
}
