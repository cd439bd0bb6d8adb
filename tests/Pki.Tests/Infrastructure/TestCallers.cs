using System.Security.Cryptography;
using Pki.Core.Access;

namespace Pki.Tests.Infrastructure;

/// <summary>
/// API keys the dev hosts of the tests know: random per test run, configured by their SHA-256 only, as an
/// operator configures them. <see cref="Admin"/> is what fixtures' clients send unless a test says otherwise.
/// </summary>
public static class TestCallers
{
    /// <summary>The admin of team "platform" (grants: *.internal), which every fixture's client acts as.</summary>
    public static readonly TestCaller Admin = new("test-admin", "platform", [Roles.Admin]);

    /// <summary>A requester of team "payments", granted *.payments.internal.</summary>
    public static readonly TestCaller PaymentsRequester = new("payments-bot", "payments", [Roles.Requester]);

    /// <summary>A requester of team "web", granted *.web.internal and web.internal.</summary>
    public static readonly TestCaller WebRequester = new("web-bot", "web", [Roles.Requester]);

    public static readonly TestCaller Approver = new("alice-approver", "security", [Roles.Approver]);

    public static readonly TestCaller Auditor = new("audrey-auditor", "compliance", [Roles.Auditor]);

    /// <summary>An authenticated caller with no role at all: every protected endpoint must refuse it with 403.</summary>
    public static readonly TestCaller NoRole = new("nobody", "payments", []);

    public static readonly IReadOnlyList<TestCaller> All = [Admin, PaymentsRequester, WebRequester, Approver, Auditor, NoRole];

    /// <summary>An API-key authenticator that knows every test caller, for hosts built without the PKI's services.</summary>
    public static KeyAuthenticator Authenticator() => new("api-key", KeyAuthenticator.ApiKeyHeader, All.ToDictionary(
        c => c.Identity,
        c => new KeyCredentialOptions { Sha256 = KeyAuthenticator.Hash(c.Key), Team = c.Team, Roles = [.. c.Roles] }));

    /// <summary>Settings for a dev host: every test caller's key hash, identity, team and roles, and the teams' grants.</summary>
    public static string[] HostArgs() =>
    [
        .. All.SelectMany(c => new[]
        {
            $"--Pki:Access:ApiKeys:{c.Identity}:Sha256={KeyAuthenticator.Hash(c.Key)}",
            $"--Pki:Access:ApiKeys:{c.Identity}:Team={c.Team}",
        }.Concat(c.Roles.Select((r, i) => $"--Pki:Access:ApiKeys:{c.Identity}:Roles:{i}={r}"))),
        "--Pki:Access:Teams:platform:Names:0=*.internal",
        "--Pki:Access:Teams:payments:Names:0=*.payments.internal",
        "--Pki:Access:Teams:web:Names:0=*.web.internal",
        "--Pki:Access:Teams:web:Names:1=web.internal",
    ];
}

/// <summary>One caller of the tests and its API key (random per run).</summary>
public sealed record TestCaller(string Identity, string Team, string[] Roles)
{
    public string Key { get; } = "pki_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    /// <summary>A client for <paramref name="baseAddress"/> that sends this caller's key.</summary>
    public HttpClient Client(Uri baseAddress)
    {
        var client = new HttpClient(new HostFollowUps.WaitingHandler()) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add(KeyAuthenticator.ApiKeyHeader, Key);
        return client;
    }
}
