using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Access;
using Pki.Core.Access.Sessions;
using Pki.Core.Acme;
using Pki.Core.Audit;
using Pki.Core.Authority;
using Pki.Core.Authority.Approvals;
using Pki.Core.Authority.Policy;
using Pki.Core.Delivery;
using Azure.Core;
using Azure.Identity;
using Pki.Core.Discovery;
using Pki.Core.Discovery.KeyVault;
using Pki.Core.Discovery.Scanning;
using Pki.Core.Discovery.Sweeps;
using Pki.Core.Discovery.Targets;
using Pki.Core.Events;
using Pki.Core.Inventory;
using Pki.Core.Notifications;
using Pki.Core.Reports;
using Pki.Core.Renewal;
using Pki.Core.Revocation;
using Pki.Core.Revocation.Ocsp;
using Pki.Core.Signing;
using Pki.Core.Signing.KeyVault;
using Pki.Core.Signing.Pkcs11;
using Pki.Core.Storage;

namespace Pki.Core;

public static class PkiServiceCollectionExtensions
{
    /// <summary>Registers the domain services; the same call serves the Functions host and the dev host.</summary>
    public static IServiceCollection AddPkiCore(this IServiceCollection services, IConfiguration configuration)
    {
        // Bound so that a value that does not fit its setting is reported with the others, naming it, not thrown.
        services.AddOptions<PkiOptions>().Configure(o => PkiOptionsBinding.Bind(configuration.GetSection(PkiOptions.Section), o)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PkiOptions>, PkiOptionsValidator>();
        services.AddSingleton<IOptions<Pkcs11Options>>(sp => Options.Create(sp.GetRequiredService<IOptions<PkiOptions>>().Value.Signing.Pkcs11));
        services.AddSingleton<IOptions<KeyVaultOptions>>(sp => Options.Create(sp.GetRequiredService<IOptions<PkiOptions>>().Value.Signing.KeyVault));

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<CallerContext>();
        services.AddSingleton<TeamGrants>();
        services.AddSingleton<IAuthenticator>(sp => new KeyAuthenticator("api-key", KeyAuthenticator.ApiKeyHeader, sp.GetRequiredService<IOptions<PkiOptions>>().Value.Access.ApiKeys));
        services.AddSingleton<IAuthenticator>(sp => new KeyAuthenticator("function-key", KeyAuthenticator.FunctionKeyHeader, sp.GetRequiredService<IOptions<PkiOptions>>().Value.Access.FunctionKeys));
        services.AddSingleton<IAuthenticator>(sp => new EntraTokenAuthenticator(
            sp.GetRequiredService<IOptions<PkiOptions>>().Value.Access.Entra, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<EntraTokenAuthenticator>>()));
        services.AddSingleton<IAuthenticator>(sp => new AppServicePrincipalAuthenticator(sp.GetRequiredService<IOptions<PkiOptions>>().Value.Access));
        // Dashboard sessions (a cookie opened with an API key) resolve to the key's caller; tried after every header scheme.
        services.AddSingleton<ISessionStore, TableSessionStore>();
        services.AddSingleton<SessionService>();
        services.AddSingleton<ISignInAttemptStore, TableSignInAttemptStore>();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<IAuthenticator, SessionAuthenticator>();
        services.AddSingleton<AccessControl>();
        services.AddSingleton<IRateLimitStore, TableRateLimitStore>();
        services.AddSingleton<IssuanceRateLimiter>();

        // The CA keys live in the store the configuration names; the validator has refused any other name.
        services.TryAddSingleton<IKeyManager>(sp => sp.GetRequiredService<IOptions<PkiOptions>>().Value.Signing.Provider switch
        {
            SigningOptions.KeyVaultProvider => new KeyVaultKeyManager(
                sp.GetRequiredService<IOptions<KeyVaultOptions>>(),
                sp.GetRequiredService<TokenCredential>(),
                sp.GetRequiredService<ILogger<KeyVaultKeyManager>>()),
            _ => ActivatorUtilities.CreateInstance<Pkcs11KeyManager>(sp),
        });

        services.AddSingleton<TableStorage>();

        // The audit trail: every state change appends one hash-chained record through IAuditTrail.
        services.AddSingleton<IAuditStore, TableAuditStore>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<IAuditTrail>(sp => sp.GetRequiredService<AuditTrail>());
        services.AddSingleton<IAuditCheckStore, TableAuditCheckStore>();
        services.AddSingleton<AuditVerifier>();
        services.AddSingleton<Health.ServiceHealth>();

        services.AddSingleton<IAuthorityStore, TableAuthorityStore>();
        services.AddSingleton<IKeyRecordStore, TableKeyRecordStore>();
        services.AddSingleton<ICertificateStore, TableCertificateStore>();
        services.AddSingleton<IRequestStore, TableRequestStore>();
        services.AddSingleton<IIssuanceJournal, TableIssuanceJournal>();
        services.AddSingleton<BlobStorage>();
        services.AddSingleton<IRevocationStore, TableRevocationStore>();
        services.AddSingleton<ICrlStore, BlobCrlStore>();
        services.AddSingleton<ICrlNumberStore, TableCrlNumberStore>();
        services.AddSingleton<IResponderStore, TableResponderStore>();
        services.AddSingleton<IOcspResponseStore, TableOcspResponseStore>();

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
        services.AddSingleton<IApprovalStore, TableApprovalStore>();
        services.AddSingleton<ApprovalService>();

        // Renewal: the planner reads due buckets of the renewal index; the renewer issues through the RA.
        services.AddSingleton<IRenewalIndex, TableRenewalIndex>();
        services.AddSingleton<IRenewalQueue, StorageRenewalQueue>();
        services.AddSingleton<RenewalPlanner>();
        services.AddSingleton<RenewalFanOut>();
        services.AddSingleton<RenewalService>();
        services.AddSingleton<RenewalRequestService>();
        services.TryAddSingleton<IRenewalNotifier, QueueRenewalNotifier>();

        // Delivery: certificates made in and merged into Key Vault (enrollment, renewal, and a timer that resumes them).
        services.AddSingleton<IDeliveryStore, TableDeliveryStore>();
        services.AddSingleton<KeyVaultDelivery>();
        services.TryAddSingleton<IDeliveryNotifier, EmailDeliveryNotifier>();

        // Lifecycle events: the recorder is the first issuance and revocation observer, so the event reaches the
        // outbox right after the state it describes committed, before observers that may be slow or fail.
        services.AddSingleton<IEventOutbox, TableEventOutbox>();
        services.AddSingleton<LifecycleEvents>();
        services.AddSingleton<EventDispatcher>();
        services.AddSingleton<LifecycleEventRecorder>();
        services.AddSingleton<IIssuanceObserver>(sp => sp.GetRequiredService<LifecycleEventRecorder>());
        services.AddSingleton<IRevocationObserver>(sp => sp.GetRequiredService<LifecycleEventRecorder>());
        services.AddSingleton<IInventoryObserver>(sp => sp.GetRequiredService<LifecycleEventRecorder>());
        services.TryAddSingleton<ILifecycleEventPublisher>(sp =>
        {
            var events = sp.GetRequiredService<IOptions<PkiOptions>>().Value.Events;
            return events.UsesServiceBus
                ? new ServiceBusEventPublisher(events, sp.GetRequiredService<TokenCredential>())
                : new StorageQueueEventPublisher(sp.GetRequiredService<QueueStorage>());
        });

        services.AddSingleton<CrlPublisher>();
        services.AddSingleton<CrlService>();
        services.AddSingleton<OcspResponders>();
        services.AddSingleton<OcspService>();
        services.AddSingleton<IIssuanceObserver>(sp => sp.GetRequiredService<OcspService>());
        services.AddSingleton<RevocationService>();

        services.AddSingleton<IInventoryStore, TableInventoryStore>();
        services.AddSingleton(sp => new OwnerRules(sp.GetRequiredService<IOptions<PkiOptions>>().Value.Inventory));
        services.AddSingleton<TrustAnchors>();
        services.AddSingleton<InventoryRecorder>();
        services.AddSingleton<IIssuanceObserver>(sp => sp.GetRequiredService<InventoryRecorder>());
        services.AddSingleton<IRevocationObserver>(sp => sp.GetRequiredService<InventoryRecorder>());
        services.AddSingleton<InventoryService>();
        services.AddSingleton<ReportService>();
        services.AddPkiAcme();

        services.AddSingleton<QueueStorage>();
        services.AddSingleton<NetworkPolicy>();
        services.AddSingleton<ITlsScanner, TlsScanner>();
        services.AddSingleton<ITargetStore, TableTargetStore>();
        services.AddSingleton<TargetService>();
        services.AddSingleton<ISweepStore, TableSweepStore>();
        services.AddSingleton<ISweepQueue, StorageSweepQueue>();
        services.AddSingleton<SweepService>();

        // Vaults are read as the app's identity (managed identity in Azure); tests and the dev host may register another credential first.
        services.AddSingleton<IOptions<DiscoveryOptions>>(sp => Options.Create(sp.GetRequiredService<IOptions<PkiOptions>>().Value.Discovery));
        // The same identity signs with Key Vault keys; a user-assigned identity is chosen by Pki:Signing:KeyVault:ManagedIdentityClientId.
        services.TryAddSingleton<TokenCredential>(sp => sp.GetRequiredService<IOptions<PkiOptions>>().Value.Signing.KeyVault.ManagedIdentityClientId is { Length: > 0 } clientId
            ? new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = clientId })
            : new DefaultAzureCredential());
        services.AddSingleton<IKeyVaultClientFactory>(sp => new KeyVaultClientFactory(sp.GetRequiredService<TokenCredential>()));
        services.AddSingleton<IKeyVaultCertificateSource, KeyVaultCertificateSource>();

        services.AddSingleton<INoticeStore, TableNoticeStore>();
        services.AddSingleton<INoticeQueue, StorageNoticeQueue>();
        services.AddSingleton<NoticeRecipients>();
        services.AddSingleton<SmtpMailer>();
        services.AddSingleton<INoticeChannel, EmailNoticeChannel>();

        // One client for the process; pooled connections are renewed so a webhook host's DNS changes are seen.
        services.AddSingleton<INoticeChannel>(sp => new TeamsNoticeChannel(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan },
            sp.GetRequiredService<NoticeRecipients>(),
            sp.GetRequiredService<IOptions<PkiOptions>>()));
        services.AddSingleton<NotificationService>();
        services.AddSingleton<DigestService>();

        // Expiry notices: the index is written just before an inventory item's first write, and read by the PlanNotices
        // timer one day bucket at a time.
        services.AddSingleton<IExpiryNoticeIndex, TableExpiryNoticeIndex>();
        services.AddSingleton<IInventoryObserver, ExpiryNoticeIndexer>();
        services.AddSingleton<ExpiryNoticePlanner>();
        return services;
    }
}
