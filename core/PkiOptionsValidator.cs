using Microsoft.Extensions.Options;

namespace Pki.Core;

/// <summary>
/// Fails start-up on a missing or contradictory setting, naming the setting. The settings of the whole service are
/// checked here; each capability's own are checked beside it (<c>&lt;Capability&gt;OptionsValidation</c>), in this order.
/// </summary>
public sealed class PkiOptionsValidator : IValidateOptions<PkiOptions>
{
    public ValidateOptionsResult Validate(string? name, PkiOptions options)
    {
        var errors = new List<string>(options.BindingErrors);
        const string p = PkiOptions.Section;

        if (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            errors.Add($"{p}:PublicBaseUrl must be an absolute http(s) URL (it goes into CRL and AIA URLs); got '{options.PublicBaseUrl}'.");
        }

        if (options.MaxRequestBytes is < 1024 or > 1024 * 1024)
        {
            errors.Add($"{p}:MaxRequestBytes must be between 1024 and 1048576; got {options.MaxRequestBytes}.");
        }

        Signing.SigningOptionsValidation.Validate(options.Signing, errors);
        Storage.StorageOptionsValidation.Validate(options.Storage, errors);
        Authority.AuthorityOptionsValidation.ValidateCa(options.Ca, errors);
        Revocation.RevocationOptionsValidation.Validate(options.Revocation, errors);
        Authority.AuthorityOptionsValidation.ValidateNames(options.Names, errors);
        Discovery.DiscoveryOptionsValidation.Validate(options.Discovery, errors);
        Inventory.InventoryOptionsValidation.Validate(options.Inventory, errors);
        Events.EventsOptionsValidation.Validate(options.Events, errors);
        Renewal.RenewalOptionsValidation.Validate(options.Renewal, errors);
        Notifications.NotificationOptionsValidation.Validate(options.Notifications, errors);
        Access.AccessOptionsValidation.Validate(options.Access, errors);
        Reports.ReportsOptionsValidation.Validate(options.Reports, errors);
        Delivery.DeliveryOptionsValidation.Validate(options.Delivery, errors);
        options.Acme.Validate(errors);
        options.Acme.ValidateResolver(options.Discovery, errors);
        Authority.Approvals.ApprovalOptionsValidation.Validate(options.Approvals, errors);
        Authority.AuthorityOptionsValidation.ValidateProfiles(options.Profiles, errors);

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
