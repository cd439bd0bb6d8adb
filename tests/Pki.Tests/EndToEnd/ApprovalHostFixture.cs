using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Pki.Core.Access;
using Pki.Core.Authority.Policy;
using Pki.Core.Errors;
using Pki.Core.Storage;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// A dev host on a fake clock (a test moves it past a request's expiry), with pending requests expiring after
/// <see cref="PendingHours"/> and the tls-client profile configured to require approval too.
/// </summary>
public sealed class ApprovalHostFixture : DevHostFixture
{
    public const int PendingHours = 24;

    /// <summary>Whole seconds, as certificates hold their times; the real clock is read once, so a second boundary between two readings cannot leave a fraction.</summary>
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public override Task InitializeAsync() => StartHostAsync(
        [
            $"--Pki:Approvals:PendingHours={PendingHours}",
            "--Pki:Profiles:tls-client:RequiresApproval=true",
        ],
        services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time));
            services.AddSingleton<IIssuancePolicyRule>(sp => Freeze = new FreezeRule(sp.GetRequiredService<CallerContext>()));
        });

    /// <summary>A policy rule a test turns on between submission and approval, standing for grants or policy that changed.</summary>
    public FreezeRule Freeze { get; private set; } = null!;

    /// <summary>How many certificate records name this request as theirs (a scan, fine for a test).</summary>
    public async Task<int> CertificatesOfRequestAsync(string requestId)
    {
        var table = new TableClient(TestEnvironment.StorageConnectionString, TablePrefix + TableNames.Certificates);
        var count = 0;
        try
        {
            await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RequestId eq {requestId}"), select: ["PartitionKey"]))
            {
                count++;
            }
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            // No certificate was issued by this host yet.
            return 0;
        }

        return count;
    }

    /// <summary>Refuses requests whose commonName holds <see cref="Marker"/> while on, and notes as whom policy ran.</summary>
    public sealed class FreezeRule(CallerContext callers) : IIssuancePolicyRule
    {
        public const string Marker = "Frozen";

        public volatile bool On;

        public string? LastCaller { get; private set; }

        public void Check(IssuanceRequest request)
        {
            if (request.Csr.CommonName?.Contains(Marker, StringComparison.Ordinal) != true)
            {
                return;
            }

            LastCaller = callers.Current.Id;
            if (On)
            {
                throw ProblemException.Forbidden("signing-frozen", "Code signing is frozen for the release.");
            }
        }
    }
}
