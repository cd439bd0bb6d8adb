using System.Buffers.Text;
using System.Net;
using System.Text;
using Pki.Tests.Infrastructure;

namespace Pki.Tests.EndToEnd;

/// <summary>
/// The four paged listings (certificates, inventory, audit, pending approvals) over HTTP on the dev host: each follows
/// its own token, and refuses a garbled token and every other listing's token with a 400 problem.
/// </summary>
public sealed class ContinuationTokenTests(ApprovalHostFixture host) : IClassFixture<ApprovalHostFixture>
{
    /// <summary>Each listing's first page of one, so a second page (and its token) exists once two entries do.</summary>
    private static readonly IReadOnlyDictionary<string, string> FirstPages = new Dictionary<string, string>
    {
        ["certificates"] = "/api/certificates?pageSize=1",
        ["inventory"] = "/api/inventory?pageSize=1",
        ["audit"] = "/api/audit?limit=1",
        ["approvals"] = "/api/requests?pageSize=1",
    };

    [Fact]
    public async Task Each_listing_follows_its_own_token_and_refuses_a_garbled_one_or_another_listings()
    {
        using var ssl = new Openssl();
        using var payments = TestCallers.PaymentsRequester.Client(host.BaseAddress);
        for (var i = 0; i < 2; i++)
        {
            var name = $"token{i}-{Guid.NewGuid():N}.payments.internal";
            using var issued = await payments.RequestAsync(ssl.NewCsr(ssl.NewKey(name, "ec:P-256"), "/CN=" + name, "DNS:" + name));
            Assert.True(issued.StatusCode == HttpStatusCode.Created, (await issued.JsonAsync()).ToString() + host.ErrorLog());
            using var held = await payments.RequestAsync(ssl.NewCsr(ssl.NewKey("signer" + i, "ec:P-256"), "/CN=Token Signing " + i, null), "code-signing");
            Assert.True(held.StatusCode == HttpStatusCode.Accepted, (await held.JsonAsync()).ToString());
        }

        var tokens = new Dictionary<string, string>();
        foreach (var (listing, first) in FirstPages)
        {
            tokens[listing] = await TokenAsync(first);
        }

        foreach (var (listing, first) in FirstPages)
        {
            // Its own token reads the next page: the refusals below are about the token, not the listing.
            using var next = await host.Client.GetAsync(first + "&continuationToken=" + Uri.EscapeDataString(tokens[listing]));
            Assert.True(next.StatusCode == HttpStatusCode.OK, $"{listing}: {await next.Content.ReadAsStringAsync()}");

            var refused = tokens.Where(t => t.Key != listing).Select(t => t.Value)
                .Append("garbled!")
                .Append(Base64Url.EncodeToString(Encoding.UTF8.GetBytes("not a token of ours")));
            foreach (var token in refused)
            {
                await (await host.Client.GetAsync(first + "&continuationToken=" + Uri.EscapeDataString(token)))
                    .AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-continuation-token");
            }
        }
    }

    /// <summary>The token of a listing's first page, waiting a little for derived rows (inventory) to be written.</summary>
    private async Task<string> TokenAsync(string first)
    {
        for (var attempt = 0; ; attempt++)
        {
            var page = await host.Client.GetJsonAsync(first);
            if (page.TryGetProperty("continuationToken", out var token))
            {
                return token.GetString()!;
            }

            Assert.True(attempt < 100, $"{first} has no second page: {page}");
            await Task.Delay(100);
        }
    }
}
