using System.Net;
using Microsoft.Extensions.Options;
using Pki.Core.Authority;
using Pki.Core.Discovery;
using Pki.Core.Events;
using Pki.Core.Inventory;
using Pki.Core.Notifications;
using Pki.Core.Reports;
using Pki.Core.Revocation;
using Pki.Core.Signing;
using Pki.Core.Signing.KeyVault;
using Pki.Core.Storage;

namespace Pki.Core;

/// <summary>Fails start-up on a missing or contradictory setting, naming the setting.</summary>
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

        ValidateSigning(options.Signing, errors);

        ValidateStorage(options.Storage, errors);

        if (options.Storage.TablePrefix.Length > 20 || !options.Storage.TablePrefix.All(char.IsAsciiLetterOrDigit)
            || (options.Storage.TablePrefix.Length > 0 && !char.IsAsciiLetter(options.Storage.TablePrefix[0])))
        {
            errors.Add($"{p}:Storage:TablePrefix must be up to 20 ASCII letters and digits, starting with a letter; got '{options.Storage.TablePrefix}'.");
        }

        ValidateCa(options.Ca, errors);
        ValidateRevocation(options.Revocation, errors);
        ValidateNames(options.Names, errors);
        ValidateDiscovery(options.Discovery, errors);
        ValidateInventory(options.Inventory, errors);
        ValidateEvents(options.Events, errors);
        ValidateRenewal(options.Renewal, errors);
        ValidateNotifications(options.Notifications, errors);
        Access.AccessOptionsValidation.Validate(options.Access, errors);
        ValidateReports(options.Reports, errors);
        Delivery.DeliveryOptionsValidation.Validate(options.Delivery, errors);
        options.Acme.Validate(errors);
        options.Acme.ValidateResolver(options.Discovery, errors);

        if (options.Approvals.PendingHours is < 1 or > Authority.Approvals.ApprovalOptions.MaxPendingHours)
        {
            errors.Add($"{p}:Approvals:PendingHours must be between 1 and {Authority.Approvals.ApprovalOptions.MaxPendingHours}; got {options.Approvals.PendingHours}.");
        }

        foreach (var (profile, settings) in options.Profiles)
        {
            if (!ProfileNames.All.Contains(profile))
            {
                errors.Add($"{p}:Profiles:{profile} is not a known profile ({string.Join(", ", ProfileNames.All)}).");
            }

            if (settings.MaxValidityDays is < 1 or > 3650)
            {
                errors.Add($"{p}:Profiles:{profile}:MaxValidityDays must be between 1 and 3650; got {settings.MaxValidityDays}.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateSigning(SigningOptions signing, List<string> errors)
    {
        const string p = PkiOptions.Section;
        if (signing.Provider == SigningOptions.KeyVaultProvider)
        {
            ValidateKeyVault(signing.KeyVault, errors);
        }
        else if (signing.Provider != SigningOptions.Pkcs11Provider)
        {
            errors.Add($"{p}:Signing:Provider must name the CA key store ('{SigningOptions.Pkcs11Provider}' or '{SigningOptions.KeyVaultProvider}'); got '{signing.Provider}'. There is no default.");
        }
        else
        {
            if (string.IsNullOrWhiteSpace(signing.Pkcs11.LibraryPath) || !File.Exists(signing.Pkcs11.LibraryPath))
            {
                errors.Add($"{p}:Signing:Pkcs11:LibraryPath must name an existing PKCS#11 module; got '{signing.Pkcs11.LibraryPath}'.");
            }

            if (string.IsNullOrWhiteSpace(signing.Pkcs11.TokenLabel))
            {
                errors.Add($"{p}:Signing:Pkcs11:TokenLabel is required.");
            }

            if (string.IsNullOrEmpty(signing.Pkcs11.UserPin))
            {
                errors.Add($"{p}:Signing:Pkcs11:UserPin is required (supply it from the environment or a secret store).");
            }
        }
    }

    private static void ValidateKeyVault(KeyVaultOptions kv, List<string> errors)
    {
        const string s = PkiOptions.Section + ":Signing:KeyVault";
        if (string.IsNullOrWhiteSpace(kv.VaultUri))
        {
            errors.Add($"{s}:VaultUri is required when {PkiOptions.Section}:Signing:Provider is '{SigningOptions.KeyVaultProvider}' (e.g. https://NAME.vault.azure.net/).");
        }
        else if (!Uri.TryCreate(kv.VaultUri, UriKind.Absolute, out var vault) || vault.Scheme != Uri.UriSchemeHttps)
        {
            errors.Add($"{s}:VaultUri must be an absolute https URL such as https://NAME.vault.azure.net/; got '{kv.VaultUri}'.");
        }
        else if (vault.HostNameType != UriHostNameType.Dns || vault.AbsolutePath != "/" || vault.Query.Length > 0 || vault.UserInfo.Length > 0)
        {
            errors.Add($"{s}:VaultUri must be the vault's base URL, https://NAME.vault.azure.net/ (a host name, no path, query or user); got '{kv.VaultUri}'.");
        }

        if (kv.ManagedIdentityClientId.Length > 0 && !Guid.TryParse(kv.ManagedIdentityClientId, out _))
        {
            errors.Add($"{s}:ManagedIdentityClientId must be the client id (a GUID) of a user-assigned managed identity, or empty for the system-assigned one; got '{kv.ManagedIdentityClientId}'.");
        }
    }

    private static void ValidateRevocation(RevocationOptions r, List<string> errors)
    {
        const string s = PkiOptions.Section + ":Revocation";
        var ranges = new (string Setting, int Value, int Min, int Max)[]
        {
            ("CrlValidityHours", r.CrlValidityHours, 1, 24 * 31),
            ("CrlRefreshMarginHours", r.CrlRefreshMarginHours, 0, 24 * 31),
            ("FullCrlIntervalMinutes", r.FullCrlIntervalMinutes, 1, 24 * 60 * 7),
            ("CrlRevocationIntervalSeconds", r.CrlRevocationIntervalSeconds, 0, 3600),
            ("CrlShards", r.CrlShards, 1, CrlShards.Max),
            ("RootCrlValidityDays", r.RootCrlValidityDays, 1, 366),
            ("OcspValidityHours", r.OcspValidityHours, 1, 24 * 7),
            ("ResponderValidityHours", r.ResponderValidityHours, 2, 24 * 90),
            ("ResponderRenewBeforeHours", r.ResponderRenewBeforeHours, 1, 24 * 90),
            ("OcspCacheSeconds", r.OcspCacheSeconds, 0, 3600),
            ("OcspOnDemandSignaturesPerSecond", r.OcspOnDemandSignaturesPerSecond, 0, 100_000),
            ("OcspOnDemandSignatureBurst", r.OcspOnDemandSignatureBurst, 0, 100_000),
        };
        AddRangeErrors(s, ranges, errors);

        if (r.CrlRefreshMarginHours >= r.CrlValidityHours)
        {
            errors.Add($"{s}:CrlRefreshMarginHours ({r.CrlRefreshMarginHours}) must be less than {s}:CrlValidityHours ({r.CrlValidityHours}), or every pass would republish every CRL.");
        }

        if (r.ResponderRenewBeforeHours >= r.ResponderValidityHours)
        {
            errors.Add($"{s}:ResponderRenewBeforeHours ({r.ResponderRenewBeforeHours}) must be less than {s}:ResponderValidityHours ({r.ResponderValidityHours}).");
        }

        if (r.ResponderRenewBeforeHours < r.OcspValidityHours)
        {
            errors.Add($"{s}:ResponderRenewBeforeHours ({r.ResponderRenewBeforeHours}) must be at least {s}:OcspValidityHours ({r.OcspValidityHours}), so no response outlives its responder certificate.");
        }
    }

    private static void ValidateStorage(StorageOptions storage, List<string> errors)
    {
        const string s = PkiOptions.Section + ":Storage";
        var endpoints = new (string Setting, string? Value)[] { ("TableServiceUri", storage.TableServiceUri), ("QueueServiceUri", storage.QueueServiceUri), ("BlobServiceUri", storage.BlobServiceUri) };
        if (StorageClients.UsesConnectionString(storage))
        {
            if (endpoints.FirstOrDefault(e => !string.IsNullOrWhiteSpace(e.Value)) is { Setting: { } both })
            {
                errors.Add($"{s}:ConnectionString and {s}:{both} are both set; set the connection string (Azurite, keys) or the three service endpoints (identity), not both.");
            }

            return;
        }

        foreach (var (setting, value) in endpoints)
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            {
                errors.Add($"{s}:{setting} must be the account's https endpoint when {s}:ConnectionString is empty (got '{value}'); set one or the other.");
            }
        }
    }

    private static void ValidateDiscovery(DiscoveryOptions d, List<string> errors)
    {
        const string s = PkiOptions.Section + ":Discovery";
        foreach (var network in d.AllowedNetworks)
        {
            if (!NetworkPolicy.TryParseNetwork(network, out _))
            {
                errors.Add($"{s}:AllowedNetworks holds '{network}', which is not a CIDR range such as 10.0.0.0/8 (host bits must be zero).");
            }
        }

        foreach (var suffix in d.AllowedVaultHostSuffixes)
        {
            if (string.IsNullOrWhiteSpace(suffix.TrimStart('.')) || Uri.CheckHostName(suffix.TrimStart('.')) == UriHostNameType.Unknown)
            {
                errors.Add($"{s}:AllowedVaultHostSuffixes holds '{suffix}'; each entry is a host or domain name, such as .vault.azure.net.");
            }
        }

        var ranges = new (string Setting, int Value, int Min, int Max)[]
        {
            ("MaxAddressesPerRange", d.MaxAddressesPerRange, 1, 65536),
            ("MaxPortsPerTarget", d.MaxPortsPerTarget, 1, 1024),
            ("MaxHostsPerList", d.MaxHostsPerList, 1, 100),
            ("MaxEndpointsPerSweep", d.MaxEndpointsPerSweep, 1, 1_000_000),
            ("SweepTimeoutMinutes", d.SweepTimeoutMinutes, 1, 24 * 60),
            ("MaxTargets", d.MaxTargets, 1, 100000),
            ("BatchSize", d.BatchSize, 1, 64),
            ("ScanConcurrency", d.ScanConcurrency, 1, 1024),
            ("ConnectTimeoutMs", d.ConnectTimeoutMs, 50, 60000),
            ("HandshakeTimeoutMs", d.HandshakeTimeoutMs, 50, 60000),
            ("MaxVersionsPerVaultCertificate", d.MaxVersionsPerVaultCertificate, 1, 1000),
        };
        AddRangeErrors(s, ranges, errors);
    }

    private static void ValidateInventory(InventoryOptions i, List<string> errors)
    {
        const string s = PkiOptions.Section + ":Inventory";
        if (i.ExpiryThresholdsDays?.Any(t => t is < 1 or > 3650) == true)
        {
            errors.Add($"{s}:ExpiryThresholdsDays must hold days between 1 and 3650.");
        }

        foreach (var file in i.TrustAnchorFiles ?? [])
        {
            if (!File.Exists(file))
            {
                errors.Add($"{s}:TrustAnchorFiles names '{file}', which does not exist.");
            }
        }

        foreach (var rule in i.OwnerRules ?? [])
        {
            if (string.IsNullOrWhiteSpace(rule.Pattern) || (string.IsNullOrWhiteSpace(rule.Team) && string.IsNullOrWhiteSpace(rule.Owner)))
            {
                errors.Add($"{s}:OwnerRules: each rule needs a Pattern and a Team or an Owner; got pattern '{rule.Pattern}'.");
            }
        }

        AddRangeErrors(s, [("MinRsaBits", i.MinRsaBits, 1024, 16384), ("MinEcBits", i.MinEcBits, 160, 521), ("MaxPageSize", i.MaxPageSize, 1, 1000)], errors);
    }

    private static void ValidateEvents(EventsOptions e, List<string> errors)
    {
        const string s = PkiOptions.Section + ":Events";
        var hasNamespace = !string.IsNullOrWhiteSpace(e.ServiceBusNamespace);
        var hasTopic = !string.IsNullOrWhiteSpace(e.Topic);
        if (hasNamespace && !hasTopic)
        {
            errors.Add($"{s}:Topic is required when {s}:ServiceBusNamespace is set (the deployment's topic is lifecycle-events).");
        }

        if (hasTopic && !hasNamespace)
        {
            errors.Add($"{s}:ServiceBusNamespace is required when {s}:Topic is set; leave both empty to publish to the local storage queue.");
        }

        if (hasNamespace && (Uri.CheckHostName(e.ServiceBusNamespace) != UriHostNameType.Dns || !e.ServiceBusNamespace!.Contains('.', StringComparison.Ordinal)))
        {
            errors.Add($"{s}:ServiceBusNamespace must be the fully qualified namespace, such as NAME.servicebus.windows.net (no scheme, no connection string); got '{e.ServiceBusNamespace}'.");
        }

        AddRangeErrors(s, [("DispatchDelaySeconds", e.DispatchDelaySeconds, 0, 600)], errors);
    }

    private static void ValidateRenewal(Renewal.RenewalOptions r, List<string> errors)
    {
        const string s = PkiOptions.Section + ":Renewal";
        if (!(r.RenewAfterFraction is > 0 and < 1))
        {
            errors.Add($"{s}:RenewAfterFraction must be greater than 0 and less than 1 (default 2/3); got {r.RenewAfterFraction}.");
        }

        if (r.RenewDaysBeforeExpiry is { } days)
        {
            AddRangeErrors(s, [("RenewDaysBeforeExpiry", days, 1, 3650)], errors);
        }

        AddRangeErrors(s, [("InitialLookbackDays", r.InitialLookbackDays, 0, 3650)], errors);
    }

    private static void ValidateNotifications(NotificationOptions n, List<string> errors)
    {
        const string s = PkiOptions.Section + ":Notifications";
        if (n.ThresholdsDays?.Any(t => t is < 0 or > 3650) == true)
        {
            errors.Add($"{s}:ThresholdsDays must hold days between 0 (on expiry) and 3650.");
        }

        AddRangeErrors(s, [("InitialLookbackDays", n.InitialLookbackDays, 0, 3650)], errors);

        var smtp = n.Smtp;
        if (smtp.IsConfigured)
        {
            if (string.IsNullOrWhiteSpace(smtp.From))
            {
                errors.Add($"{s}:Smtp:From is required with {s}:Smtp:Host: the sender address, such as pki@example.com.");
            }
            else if (NoticeRecipients.TryParseMailbox(smtp.From) is null)
            {
                errors.Add($"{s}:Smtp:From must be a mail address such as 'PKI <pki@example.com>'; got '{smtp.From}'.");
            }

            if (Uri.CheckHostName(smtp.Host!.Trim()) == UriHostNameType.Unknown)
            {
                errors.Add($"{s}:Smtp:Host must be a host name or address; got '{smtp.Host}'.");
            }

            if (string.IsNullOrEmpty(smtp.UserName) != string.IsNullOrEmpty(smtp.Password))
            {
                errors.Add($"{s}:Smtp:UserName and {s}:Smtp:Password go together: set both (authenticated submission) or neither (a relay).");
            }

            if (!Enum.IsDefined(smtp.UseTls))
            {
                errors.Add($"{s}:Smtp:UseTls must be one of {string.Join(", ", Enum.GetNames<SmtpTls>())}.");
            }

            AddRangeErrors(s + ":Smtp", [("Port", smtp.Port, 1, 65535), ("TimeoutSeconds", smtp.TimeoutSeconds, 1, 600)], errors);
        }
        else if (!string.IsNullOrWhiteSpace(smtp.From) || !string.IsNullOrWhiteSpace(smtp.UserName))
        {
            errors.Add($"{s}:Smtp:Host is required when other {s}:Smtp settings are set.");
        }

        ValidateWebhook($"{s}:Teams:WebhookUrl", n.Teams.WebhookUrl, errors);
        foreach (var (team, url) in n.Teams.TeamWebhooks)
        {
            ValidateWebhook($"{s}:Teams:TeamWebhooks:{team}", url, errors);
        }

        foreach (var (team, list) in n.TeamAddresses)
        {
            ValidateAddresses($"{s}:TeamAddresses:{team}", list, errors);
        }

        ValidateAddresses($"{s}:AdminAddresses", n.AdminAddresses, errors);
        AddRangeErrors(s, [("ClaimMinutes", n.ClaimMinutes, 1, 24 * 60)], errors);
        AddRangeErrors(s + ":Teams", [("TimeoutSeconds", n.Teams.TimeoutSeconds, 1, 600)], errors);
    }

    /// <summary>Workflows webhook URLs are https; plain http is accepted for a loopback listener only (local runs and tests).</summary>
    private static void ValidateWebhook(string setting, string? url, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
        {
            // The URL carries the workflow's signature; name the setting, not the value.
            errors.Add($"{setting} must be an absolute https URL (the Workflows \"When a Teams webhook request is received\" URL); http only for a loopback address.");
        }
    }

    private static void ValidateAddresses(string setting, string? list, List<string> errors)
    {
        foreach (var address in NotificationOptions.SplitAddresses(list))
        {
            if (NoticeRecipients.TryParseMailbox(address) is null)
            {
                errors.Add($"{setting} holds '{address}', which is not a mail address.");
            }
        }
    }

    private static void AddRangeErrors(string section, IEnumerable<(string Setting, int Value, int Min, int Max)> ranges, List<string> errors)
    {
        foreach (var (setting, value, min, max) in ranges)
        {
            if (value < min || value > max)
            {
                errors.Add($"{section}:{setting} must be between {min} and {max}; got {value}.");
            }
        }
    }

    private static void ValidateCa(AuthorityOptions ca, List<string> errors)
    {
        const string c = PkiOptions.Section + ":Ca";
        foreach (var (setting, id) in new[] { ("RootId", ca.RootId), ("IssuingId", ca.IssuingId) })
        {
            if (string.IsNullOrEmpty(id) || id.Length > 64 || !id.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '-'))
            {
                errors.Add($"{c}:{setting} must be 1 to 64 ASCII letters, digits or hyphens; got '{id}'.");
            }
        }

        if (ca.RootId == ca.IssuingId)
        {
            errors.Add($"{c}:RootId and {c}:IssuingId must differ.");
        }

        foreach (var (setting, subject) in new[] { ("RootSubject", ca.RootSubject), ("IssuingSubject", ca.IssuingSubject) })
        {
            try
            {
                _ = CertificateFactory.DistinguishedName(subject);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
            {
                errors.Add($"{c}:{setting} is not a distinguished name such as 'CN=Example Root,O=Example': {e.Message}");
            }
        }

        if (ca.RootValidityDays < 1 || ca.IssuingValidityDays < 1)
        {
            errors.Add($"{c}:RootValidityDays and {c}:IssuingValidityDays must be positive.");
        }

        if (ca.RepairSettleSeconds < 1 || ca.AbandonAfterSeconds < ca.RepairSettleSeconds)
        {
            errors.Add($"{c}:RepairSettleSeconds must be at least 1 and {c}:AbandonAfterSeconds at least as long (it must outlast the slowest signature: Key Vault throttling waits up to 6 minutes).");
        }

        if (ca.IssuingSignatureScheme is { } scheme && !ca.IssuingKeyAlgorithm.Supports(scheme))
        {
            errors.Add($"{c}:IssuingSignatureScheme {scheme} does not fit {c}:IssuingKeyAlgorithm {ca.IssuingKeyAlgorithm}.");
        }
    }

    private static void ValidateNames(NamePolicyOptions names, List<string> errors)
    {
        const string n = PkiOptions.Section + ":Names";
        foreach (var suffix in names.AllowedDnsSuffixes)
        {
            if (!Authority.Policy.DnsNames.IsValid(suffix.TrimStart('.'), out var reason) || suffix.Contains('*'))
            {
                errors.Add($"{n}:AllowedDnsSuffixes entry '{suffix}' is not a DNS suffix: {reason}.");
            }
        }

        foreach (var range in names.AllowedIpRanges)
        {
            if (!IPNetwork.TryParse(range, out _))
            {
                errors.Add($"{n}:AllowedIpRanges entry '{range}' is not CIDR notation such as 10.0.0.0/8.");
            }
        }
    }

    private static void ValidateReports(ReportsOptions reports, List<string> errors)
    {
        const string p = PkiOptions.Section + ":Reports";
        if (reports.PageSize is < 1 or > 1000)
        {
            errors.Add($"{p}:PageSize must be between 1 and 1000 (a Table Storage page holds at most 1000); got {reports.PageSize}.");
        }

        if (reports.RecordReadConcurrency is < 1 or > 64)
        {
            errors.Add($"{p}:RecordReadConcurrency must be between 1 and 64; got {reports.RecordReadConcurrency}.");
        }

        if (reports.MaxOwnershipCertificates is < 1 or > 1_000_000)
        {
            errors.Add($"{p}:MaxOwnershipCertificates must be between 1 and 1000000; got {reports.MaxOwnershipCertificates}.");
        }

        if (reports.MaxDiscoveredLeafLifetimeDays is < 1 or > 36500)
        {
            errors.Add($"{p}:MaxDiscoveredLeafLifetimeDays must be between 1 and 36500; got {reports.MaxDiscoveredLeafLifetimeDays}.");
        }
    }
}
