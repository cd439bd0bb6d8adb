using System.Collections.Concurrent;
using Pki.Core.Authority;

namespace Pki.Tests.Infrastructure;

/// <summary>
/// The in-process dev hosts of this test run by base address, so that a test's HTTP client can wait, after each answer,
/// until the host has written what follows an issuance (<see cref="IssuanceFollowUp"/>: inventory, events, pre-signed
/// OCSP, indexes). A real client sees those rows a few milliseconds after its 201; a test that reads them at once
/// would race them. <c>DerivedRowsAfterTheAnswerTests</c> measures that lag with a client that does not wait.
/// </summary>
public static class HostFollowUps
{
    private static readonly ConcurrentDictionary<string, IssuanceFollowUp> Hosts = new(StringComparer.OrdinalIgnoreCase);

    public static void Register(Uri baseAddress, IssuanceFollowUp followUp) => Hosts[Key(baseAddress)] = followUp;

    public static void Unregister(Uri baseAddress) => Hosts.TryRemove(Key(baseAddress), out _);

    private static string Key(Uri address) => address.GetLeftPart(UriPartial.Authority);

    /// <summary>Waits for the host's follow-ups after each answer, when the host runs in this process.</summary>
    public sealed class WaitingHandler() : DelegatingHandler(new HttpClientHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.RequestUri is { } uri && Hosts.TryGetValue(Key(uri), out var followUp))
            {
                await followUp.WhenIdleAsync(cancellationToken);
            }

            return response;
        }
    }
}
