using Pki.Core.Access;
using Pki.Core.Authority;
using Pki.Core.Authority.Approvals;
using Pki.Core.Discovery;
using Pki.Core.Events;
using Pki.Core.Inventory;
using Pki.Core.Notifications;
using Pki.Core.Reports;
using Pki.Core.Renewal;
using Pki.Core.Revocation;
using Pki.Core.Signing;
using Pki.Core.Storage;

namespace Pki.Core;

/// <summary>All settings of the service, bound from the <c>Pki</c> configuration section and validated at start-up.</summary>
public sealed class PkiOptions
{
    public const string Section = "Pki";

    /// <summary>Absolute base URL relying parties reach us at; CRL and AIA URLs in certificates are built from it.</summary>
    public string PublicBaseUrl { get; set; } = string.Empty;

    /// <summary>Largest request body accepted, in bytes.</summary>
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    public NamePolicyOptions Names { get; set; } = new();

    public Dictionary<string, ProfileOptions> Profiles { get; set; } = new(StringComparer.Ordinal);

    public AuthorityOptions Ca { get; set; } = new();

    public SigningOptions Signing { get; set; } = new();

    public StorageOptions Storage { get; set; } = new();

    public RevocationOptions Revocation { get; set; } = new();

    public DiscoveryOptions Discovery { get; set; } = new();

    public InventoryOptions Inventory { get; set; } = new();

    public NotificationOptions Notifications { get; set; } = new();

    public EventsOptions Events { get; set; } = new();

    public RenewalOptions Renewal { get; set; } = new();

    public AccessOptions Access { get; set; } = new();

    public ApprovalOptions Approvals { get; set; } = new();

    public ReportsOptions Reports { get; set; } = new();

    public Delivery.DeliveryOptions Delivery { get; set; } = new();

    /// <summary>Settings whose value did not fit their type (<see cref="PkiOptionsBinding"/>); the validator reports them. Not a setting.</summary>
    internal List<string> BindingErrors { get; } = [];
}
