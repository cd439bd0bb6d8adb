using Microsoft.Extensions.DependencyInjection;
using Pki.Core.Authority.Approvals;
using Pki.Core.Authority.Policy;
using Pki.Core.Storage;

namespace Pki.Core.Authority;

public static class AuthorityServiceCollectionExtensions
{
    /// <summary>Registers the CA hierarchy, profiles, policy rules (in order), issuance and repair, approvals; called by <see cref="PkiServiceCollectionExtensions.AddPkiCore"/>.</summary>
    public static IServiceCollection AddPkiAuthority(this IServiceCollection services)
    {
        services.AddSingleton<IAuthorityStore, TableAuthorityStore>();
        services.AddSingleton<IKeyRecordStore, TableKeyRecordStore>();
        services.AddSingleton<ICertificateStore, TableCertificateStore>();
        services.AddSingleton<IRequestStore, TableRequestStore>();
        services.AddSingleton<IIssuanceJournal, TableIssuanceJournal>();

        services.AddSingleton<CaUrls>();
        services.AddSingleton<CertificateFactory>();
        services.AddSingleton<ProfileCatalog>();
        services.AddSingleton<AuthorityDirectory>();
        services.AddSingleton<CaKeys>();
        services.AddSingleton<CaBootstrapper>();
        services.AddHostedService<CaBootstrapService>();

        // Policy rules run in this order; each refuses with its own reason. The key rule runs earlier,
        // in CSR parsing, because it must precede signature verification.
        services.AddSingleton<IIssuancePolicyRule, OwnerRule>();
        services.AddSingleton<IIssuancePolicyRule, TeamRule>();
        services.AddSingleton<IIssuancePolicyRule, SubjectAltNameRule>();
        services.AddSingleton<IIssuancePolicyRule, NameRule>();
        services.AddSingleton<IIssuancePolicyRule, LifetimeRule>();
        services.AddSingleton<RegistrationAuthority>();
        services.AddSingleton<SerialPartitions>();
        services.AddSingleton<IssuanceFollowUp>();
        services.AddHostedService(sp => sp.GetRequiredService<IssuanceFollowUp>());
        services.AddSingleton<RecordedIssuance>();
        services.AddSingleton<CertificateIssuer>();
        services.AddSingleton<IssuanceRepair>();
        services.AddSingleton<CertificateService>();
        services.AddSingleton<CertificateListing>();
        services.AddSingleton<IssuanceWarnings>();
        services.AddSingleton<CertificateRequests>();
        services.AddSingleton<IApprovalStore, TableApprovalStore>();
        services.AddSingleton<ApprovalService>();
        return services;
    }
}
