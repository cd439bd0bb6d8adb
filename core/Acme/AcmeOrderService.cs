using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pki.Core.Access;
using Pki.Core.Authority;
using Pki.Core.Authority.Policy;
using Pki.Core.Errors;

namespace Pki.Core.Acme;

/// <summary>
/// Orders, authorizations, challenges, finalize and certificate download. Finalize issues through the same
/// <see cref="CertificateService"/> as the JSON API, as the account's team (a requester of it): the same registration
/// authority, policy, grants, audit, inventory, events and notices. ACME adds a front, never a second pipeline.
/// </summary>
public sealed class AcmeOrderService(
    AcmeRequestVerifier verifier,
    IAcmeStore store,
    IAcmeValidationQueue validations,
    AcmeValidationStarter starter,
    AcmeRenewalInfoService renewalInfo,
    AcmeReplacementLinks replacements,
    CertificateService certificates,
    AuthorityDirectory authorities,
    IssuanceRateLimiter issuanceLimit,
    TeamGrants grants,
    IEnumerable<IIssuancePolicyRule> policyRules,
    CallerContext callers,
    TimeProvider time,
    IOptions<PkiOptions> options,
    ILogger<AcmeOrderService> logger)
{
    private const int MaxChainDepth = 8;

    private readonly NameRule _names = policyRules.OfType<NameRule>().Single();

    /// <summary>The caller an account acts as in the pipeline: a requester of its team, named after the account.</summary>
    public static Caller CallerOf(AcmeAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return new Caller("acme:" + account.Id, account.Team, [Roles.Requester], "acme");
    }

    public async Task<AcmeResponse> NewOrderAsync(AcmePost post, CancellationToken cancellationToken = default)
    {
        var request = await verifier.VerifyAsync(post, AcmeKeyMode.Kid, cancellationToken).ConfigureAwait(false);
        var account = request.RequireAccount();
        var urls = new AcmeUrls(post.BaseUrl);
        var payload = request.Jws.PayloadJson();
        if (payload.TryGetProperty("notBefore", out _) || payload.TryGetProperty("notAfter", out _))
        {
            throw AcmeProblemException.Malformed("notBefore and notAfter are not supported; the profile sets the lifetime.");
        }

        var identifiers = Identifiers(payload);
        if (string.IsNullOrEmpty(account.Team))
        {
            throw AcmeProblemException.Unauthorized("The account belongs to no team (it registered without External Account Binding), so it may not order certificates.");
        }

        // The JSON API's rules for a name, before any CSR exists: the team's grants (TeamRule) and the name spaces and
        // IP ranges policy allows (NameRule), for dns and ip identifiers alike. Finalize runs the whole policy again.
        foreach (var identifier in identifiers)
        {
            var allowed = identifier.Type == AcmeIdentifier.Dns ? grants.Allows(account.Team, identifier.Value) : grants.Allows(account.Team, IPAddress.Parse(identifier.Value));
            if (!allowed)
            {
                var granted = grants.Grants(account.Team);
                throw new AcmeProblemException(ProblemKind.Forbidden, AcmeErrors.RejectedIdentifier,
                    $"Team '{account.Team}' is not granted the {(identifier.Type == AcmeIdentifier.Ip ? "IP address" : "name")} '{identifier.Value}' (its grants: {(granted.Count == 0 ? "none" : string.Join(", ", granted))}).");
            }

            try
            {
                if (identifier.Type == AcmeIdentifier.Dns)
                {
                    _names.CheckDnsName(identifier.Value);
                }
                else
                {
                    _names.CheckIpAddress(IPAddress.Parse(identifier.Value));
                }
            }
            catch (ProblemException e)
            {
                throw AcmeProblemException.From(e);
            }
        }

        var now = time.GetUtcNow();
        var expires = now.AddHours(options.Value.Acme.OrderLifetimeHours);
        var orderId = NewId();
        var replaces = payload.TryGetProperty("replaces", out var replacesElement)
            ? await ReplacesAsync(account, replacesElement, identifiers, orderId, cancellationToken).ConfigureAwait(false)
            : null;
        var authorizations = identifiers.Select(i => new AcmeAuthorization(
            NewId(), account.Id, orderId, i, AcmeStatus.Pending, expires, Challenges(i))).ToList();

        // Authorizations first: an order is only ever found with all of its authorizations stored.
        foreach (var authorization in authorizations)
        {
            await store.AddAuthorizationAsync(authorization, CancellationToken.None).ConfigureAwait(false);
        }

        var order = new AcmeOrder(orderId, account.Id, AcmeStatus.Pending, identifiers, [.. authorizations.Select(a => a.Id)], expires, now, Replaces: replaces);
        await store.AddOrderAsync(order, CancellationToken.None).ConfigureAwait(false);
        logger.LogInformation("ACME order {OrderId} of account {AccountId} for {Identifiers}", orderId, account.Id, string.Join(",", identifiers.Select(i => i.Value)));
        return new AcmeResponse(201, AcmeViews.Order(order, AcmeStatus.Pending, urls), urls.Order(orderId));
    }

    public async Task<AcmeResponse> OrderAsync(AcmePost post, string id, CancellationToken cancellationToken = default)
    {
        var request = await verifier.VerifyAsync(post, AcmeKeyMode.Kid, cancellationToken).ConfigureAwait(false);
        var order = await OwnOrderAsync(request.RequireAccount(), id, cancellationToken).ConfigureAwait(false);
        var status = await StatusAsync(order.Value, cancellationToken).ConfigureAwait(false);
        return new AcmeResponse(200, AcmeViews.Order(order.Value, status, new AcmeUrls(post.BaseUrl)), new AcmeUrls(post.BaseUrl).Order(id));
    }

    public async Task<AcmeResponse> AuthorizationAsync(AcmePost post, string id, CancellationToken cancellationToken = default)
    {
        var request = await verifier.VerifyAsync(post, AcmeKeyMode.Kid, cancellationToken).ConfigureAwait(false);
        var authorization = await OwnAuthorizationAsync(request.RequireAccount(), id, cancellationToken).ConfigureAwait(false);
        if (!request.Jws.IsPostAsGet)
        {
            throw AcmeProblemException.Malformed("Deactivating authorizations is not supported; send POST-as-GET to read one.");
        }

        return new AcmeResponse(200, AcmeViews.Authorization(authorization.Value, new AcmeUrls(post.BaseUrl)));
    }

    /// <summary>
    /// A POST of {} starts validation (answered processing at once; the attempt runs on this host, the queue message is
    /// its backup and carries the retries); POST-as-GET reads the challenge.
    /// </summary>
    public async Task<AcmeResponse> ChallengeAsync(AcmePost post, string id, string type, CancellationToken cancellationToken = default)
    {
        var request = await verifier.VerifyAsync(post, AcmeKeyMode.Kid, cancellationToken).ConfigureAwait(false);
        var urls = new AcmeUrls(post.BaseUrl);
        var found = await OwnAuthorizationAsync(request.RequireAccount(), id, cancellationToken).ConfigureAwait(false);
        var authorization = found.Value;
        var challenge = authorization.Challenges.FirstOrDefault(c => c.Type == type) ?? throw AcmeProblemException.NotFound($"The authorization has no {type} challenge.");
        IReadOnlyList<string> up = [$"<{urls.Authorization(id)}>;rel=\"up\""];
        if (request.Jws.IsPostAsGet || challenge.Status != AcmeStatus.Pending || authorization.Status != AcmeStatus.Pending)
        {
            return new AcmeResponse(200, AcmeViews.Challenge(authorization, challenge, urls), Links: up);
        }

        if (request.Jws.PayloadJson().EnumerateObject().Any())
        {
            throw AcmeProblemException.Malformed("Respond to a challenge with the empty object {}.");
        }

        if (authorization.Expires <= time.GetUtcNow())
        {
            throw AcmeProblemException.Malformed("The authorization has expired; place a new order.");
        }

        // Queued first, as the backup of the attempt started below on this host: should the write below lose a race or
        // the host crash, the message finds the challenge still pending and does nothing, and the client's retry starts
        // it again; should this host stop before its attempt is recorded, the message does the attempt.
        var message = new AcmeValidationMessage(id, type, 0);
        await validations.SendAsync(message, AcmeValidationStarter.BackupDelay(options.Value.Acme.ValidationTimeoutSeconds), CancellationToken.None).ConfigureAwait(false);
        var processing = challenge with { Status = AcmeStatus.Processing };
        var next = authorization with { Challenges = [.. authorization.Challenges.Select(c => c.Type == type ? processing : c)] };
        if (!await store.TryReplaceAuthorizationAsync(next, found.Version, CancellationToken.None).ConfigureAwait(false))
        {
            var now = await store.GetAuthorizationAsync(id, cancellationToken).ConfigureAwait(false);
            var current = now!.Value.Challenges.First(c => c.Type == type);
            return new AcmeResponse(200, AcmeViews.Challenge(now.Value, current, urls), Links: up);
        }

        starter.TryStart(message);
        return new AcmeResponse(200, AcmeViews.Challenge(next, processing, urls), Links: up);
    }

    public async Task<AcmeResponse> FinalizeAsync(AcmePost post, string id, CancellationToken cancellationToken = default)
    {
        var request = await verifier.VerifyAsync(post, AcmeKeyMode.Kid, cancellationToken).ConfigureAwait(false);
        var account = request.RequireAccount();
        var urls = new AcmeUrls(post.BaseUrl);
        var found = await OwnOrderAsync(account, id, cancellationToken).ConfigureAwait(false);
        var payload = request.Jws.PayloadJson();
        var csrText = payload.TryGetProperty("csr", out var csrElement) && csrElement.ValueKind == JsonValueKind.String
            ? csrElement.GetString()!
            : throw AcmeProblemException.Malformed("The finalize payload lacks 'csr' (the DER CSR, base64url).");
        byte[] der;
        try
        {
            der = Base64Url.Decode(csrText);
        }
        catch (FormatException)
        {
            throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.BadCsr, "'csr' is not unpadded base64url.");
        }

        var csrHash = Convert.ToHexStringLower(SHA256.HashData(der));
        var order = found.Value;
        var status = await StatusAsync(order, cancellationToken).ConfigureAwait(false);
        var resuming = status == AcmeStatus.Processing && order.CsrHash == csrHash;
        if (status == AcmeStatus.Valid)
        {
            throw new AcmeProblemException(ProblemKind.Forbidden, AcmeErrors.OrderNotReady, "The order is valid already; download its certificate.");
        }

        if (status != AcmeStatus.Ready && !resuming)
        {
            throw new AcmeProblemException(ProblemKind.Forbidden, AcmeErrors.OrderNotReady, $"The order is {status}; it can be finalized once every authorization is valid.");
        }

        ParsedCsr csr;
        try
        {
            csr = CsrParser.Parse(der);
        }
        catch (ProblemException e)
        {
            throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.BadCsr, e.Detail);
        }

        CheckNames(csr, order.Identifiers);
        var caller = CallerOf(account);
        using var scope = callers.Enter(caller);
        await issuanceLimit.CheckAsync(caller, cancellationToken).ConfigureAwait(false);

        if (!resuming)
        {
            var processing = order with { Status = AcmeStatus.Processing, CsrHash = csrHash };
            if (!await store.TryReplaceOrderAsync(processing, found.Version, CancellationToken.None).ConfigureAwait(false))
            {
                throw new AcmeProblemException(ProblemKind.Forbidden, AcmeErrors.OrderNotReady, "The order changed meanwhile (another finalize?); read it again.");
            }

            found = (await store.GetOrderAsync(id, CancellationToken.None).ConfigureAwait(false))!;
        }

        // One order, one certificate: the order id is the idempotency key, so a retried or concurrent finalize of the
        // same order and CSR gets the certificate issued first.
        IssuanceOutcome outcome;
        try
        {
            // AutoRenew false: the ACME client renews (when renewalInfo says), the pipeline does not issue a successor for
            // a key it never sees deployed.
            var pem = new string(PemEncoding.Write("CERTIFICATE REQUEST", der));
            var input = new CertificateRequestInput(pem, options.Value.Acme.Profile, account.Owner, ValidityDays: null, AutoRenew: false);
            outcome = await certificates.RequestAsync(input, "acme-order:" + id, order.Replaces, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ProblemException e) when (e.Kind is not (ProblemKind.Conflict or ProblemKind.TooManyRequests or ProblemKind.Unavailable))
        {
            // Policy refused it: the order is invalid for good, and says why.
            var problem = AcmeProblemException.From(e);
            await store.TryReplaceOrderAsync(found.Value with { Status = AcmeStatus.Invalid, ErrorType = problem.AcmeType, ErrorDetail = problem.Detail }, found.Version, CancellationToken.None).ConfigureAwait(false);
            throw problem;
        }
        catch (ProblemException e)
        {
            throw AcmeProblemException.From(e);
        }

        var serial = outcome.Certificate.SerialNumber;
        await store.RecordCertificateAsync(serial, account.Id, id, CancellationToken.None).ConfigureAwait(false);
        if (order.Replaces is { } predecessor)
        {
            await replacements.LinkAsync(predecessor, serial).ConfigureAwait(false);
        }

        var valid = found.Value with { Status = AcmeStatus.Valid, SerialNumber = serial };
        if (!await store.TryReplaceOrderAsync(valid, found.Version, CancellationToken.None).ConfigureAwait(false))
        {
            valid = (await store.GetOrderAsync(id, CancellationToken.None).ConfigureAwait(false))!.Value;
        }

        logger.LogInformation("ACME order {OrderId} of account {AccountId} issued {SerialNumber}", id, account.Id, serial);
        return new AcmeResponse(200, AcmeViews.Order(valid, valid.Status, urls), urls.Order(id));
    }

    /// <summary>
    /// POST-as-GET: the certificate and the CAs above it, PEM. The default chain stops below the root (which relying
    /// parties hold as their trust anchor); the alternate one (RFC 8555 §7.4.2, <c>Link: rel="alternate"</c> on each to
    /// the other) is the same path with the root appended, for clients that want the whole path or pick a chain by the
    /// last certificate's name. A CA here has one parent, so there is no other (cross-signed) path to offer.
    /// </summary>
    public async Task<AcmeResponse> CertificateAsync(AcmePost post, string id, bool withRoot = false, CancellationToken cancellationToken = default)
    {
        var request = await verifier.VerifyAsync(post, AcmeKeyMode.Kid, cancellationToken).ConfigureAwait(false);
        var account = request.RequireAccount();
        var order = await OwnOrderAsync(account, id, cancellationToken).ConfigureAwait(false);
        if (order.Value.SerialNumber is not { } serial)
        {
            throw AcmeProblemException.NotFound("The order has no certificate (yet).");
        }

        using var scope = callers.Enter(CallerOf(account));
        var view = await certificates.GetAsync(serial, cancellationToken).ConfigureAwait(false);
        var pem = new System.Text.StringBuilder(view.CertificatePem.TrimEnd()).Append('\n');
        var ca = await authorities.GetAsync(view.IssuerId, cancellationToken).ConfigureAwait(false);
        for (var depth = 0; depth < MaxChainDepth; depth++)
        {
            if (ca.ParentId is null && !withRoot)
            {
                break;
            }

            pem.Append(Pem.Certificate(ca.CertificateDer).TrimEnd()).Append('\n');
            if (ca.ParentId is null)
            {
                break;
            }

            ca = await authorities.GetAsync(ca.ParentId, cancellationToken).ConfigureAwait(false);
        }

        var urls = new AcmeUrls(post.BaseUrl);
        var other = withRoot ? urls.Certificate(id) : urls.CertificateWithRoot(id);
        return new AcmeResponse(200, null, Pem: pem.ToString(), Links: [$"<{other}>;rel=\"alternate\""]);
    }


    /// <summary>
    /// RFC 9773 §5, checked as Boulder does: <c>replaces</c> names a certificate this account ordered, the new order
    /// shares an identifier with it, and no other order replaced it. The mark is set before anything of the order is
    /// stored, so of two orders replacing one certificate exactly one is accepted.
    /// </summary>
    private async Task<string> ReplacesAsync(AcmeAccount account, JsonElement element, IReadOnlyList<AcmeIdentifier> identifiers, string orderId, CancellationToken cancellationToken)
    {
        var certId = AcmeCertId.Parse(element.ValueKind == JsonValueKind.String ? element.GetString() : null);
        var record = await renewalInfo.FindAsync(certId, cancellationToken).ConfigureAwait(false)
            ?? throw AcmeProblemException.Malformed("'replaces' names no certificate issued here.");
        var issued = await store.FindCertificateAsync(record.SerialNumber, cancellationToken).ConfigureAwait(false);
        if (issued is null || issued.AccountId != account.Id)
        {
            throw AcmeProblemException.Unauthorized("'replaces' names a certificate this account did not order.");
        }

        var previous = await store.GetOrderAsync(issued.OrderId, cancellationToken).ConfigureAwait(false);
        if (previous is null || !previous.Value.Identifiers.Any(identifiers.Contains))
        {
            throw AcmeProblemException.Malformed("The order shares no identifier with the certificate it replaces.");
        }

        if (issued.ReplacedByOrderId is not null || !await store.TryMarkReplacedAsync(record.SerialNumber, orderId, CancellationToken.None).ConfigureAwait(false))
        {
            throw new AcmeProblemException(ProblemKind.Conflict, AcmeErrors.AlreadyReplaced, $"Certificate {record.SerialNumber} was replaced by another order already.");
        }

        return record.SerialNumber;
    }

    /// <summary>The order's status as served: a pending order whose authorizations are all valid is ready, one with an invalid one invalid.</summary>
    private async Task<string> StatusAsync(AcmeOrder order, CancellationToken cancellationToken)
    {
        if (order.Status != AcmeStatus.Pending)
        {
            return order.Status;
        }

        if (order.Expires <= time.GetUtcNow())
        {
            return AcmeStatus.Invalid;
        }

        var all = true;
        foreach (var id in order.AuthorizationIds)
        {
            var authorization = await store.GetAuthorizationAsync(id, cancellationToken).ConfigureAwait(false);
            switch (authorization?.Value.Status)
            {
                case AcmeStatus.Valid:
                    break;
                case AcmeStatus.Pending:
                    all = false;
                    break;
                default:
                    return AcmeStatus.Invalid;
            }
        }

        return all ? AcmeStatus.Ready : AcmeStatus.Pending;
    }

    private async Task<Versioned<AcmeOrder>> OwnOrderAsync(AcmeAccount account, string id, CancellationToken cancellationToken)
    {
        var order = IsId(id) ? await store.GetOrderAsync(id, cancellationToken).ConfigureAwait(false) : null;

        // Another account's order is answered as unknown: its existence is not this account's business.
        return order is not null && order.Value.AccountId == account.Id ? order : throw AcmeProblemException.NotFound("No such order.");
    }

    private async Task<Versioned<AcmeAuthorization>> OwnAuthorizationAsync(AcmeAccount account, string id, CancellationToken cancellationToken)
    {
        var authorization = IsId(id) ? await store.GetAuthorizationAsync(id, cancellationToken).ConfigureAwait(false) : null;
        return authorization is not null && authorization.Value.AccountId == account.Id ? authorization : throw AcmeProblemException.NotFound("No such authorization.");
    }

    /// <summary>RFC 8555 §7.4: the CSR asks for exactly the order's identifiers (a commonName, if any, being one of them).</summary>
    private static void CheckNames(ParsedCsr csr, IReadOnlyList<AcmeIdentifier> identifiers)
    {
        var wanted = identifiers.Select(i => i.Type + ":" + i.Value).ToHashSet(StringComparer.Ordinal);
        var asked = csr.DnsNames.Select(n => AcmeIdentifier.Dns + ":" + n)
            .Concat(csr.IpAddresses.Select(a => AcmeIdentifier.Ip + ":" + IpAddresses.Canonical(a)))
            .ToHashSet(StringComparer.Ordinal);
        if (csr.CommonName is { } cn && !asked.Contains(AcmeIdentifier.Dns + ":" + cn) && !asked.Contains(AcmeIdentifier.Ip + ":" + cn))
        {
            asked.Add((IPAddress.TryParse(cn, out _) ? AcmeIdentifier.Ip : AcmeIdentifier.Dns) + ":" + cn);
        }

        if (!asked.SetEquals(wanted) || csr.UnsupportedNames.Count > 0)
        {
            throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.BadCsr,
                $"The CSR asks for {string.Join(", ", asked.Order())}{(csr.UnsupportedNames.Count > 0 ? " and other name types" : string.Empty)}; the order is for {string.Join(", ", wanted.Order())}.");
        }
    }

    private List<AcmeIdentifier> Identifiers(JsonElement payload)
    {
        if (!payload.TryGetProperty("identifiers", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw AcmeProblemException.Malformed("newOrder needs 'identifiers', a non-empty array.");
        }

        var max = options.Value.Acme.MaxIdentifiers;
        if (list.GetArrayLength() > max)
        {
            throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.RejectedIdentifier, $"An order may name at most {max} identifiers.");
        }

        var identifiers = new List<AcmeIdentifier>();
        foreach (var item in list.EnumerateArray())
        {
            var type = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var value = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            if (type is null || value is null)
            {
                throw AcmeProblemException.Malformed("Each identifier needs a 'type' and a 'value'.");
            }

            identifiers.Add(type switch
            {
                AcmeIdentifier.Dns => Dns(value),
                AcmeIdentifier.Ip => Ip(value),
                _ => throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.UnsupportedIdentifier, $"Identifier type '{type}' is not supported; use dns or ip."),
            });
        }

        return [.. identifiers.Distinct()];
    }

    private static AcmeIdentifier Dns(string value)
    {
        var name = DnsNames.ToLowerAscii(value);
        if (name.StartsWith("*.", StringComparison.Ordinal))
        {
            throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.RejectedIdentifier, $"'{value}' is a wildcard, which this server does not issue (wildcard names are not supported, with dns-01 or otherwise).");
        }

        return DnsNames.IsValid(name, out var reason)
            ? new AcmeIdentifier(AcmeIdentifier.Dns, name)
            : throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.RejectedIdentifier, $"'{Clip(value)}' is not a valid DNS name: {reason}.");
    }

    private static AcmeIdentifier Ip(string value)
    {
        // RFC 8738 §3: the textual form of RFC 1123 / RFC 5952.
        if (!IPAddress.TryParse(value, out var address) || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            || value.Contains('%', StringComparison.Ordinal) || !value.All(c => char.IsAsciiHexDigit(c) || c is '.' or ':')
            || (address.AddressFamily == AddressFamily.InterNetwork && address.ToString() != value))
        {
            throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.RejectedIdentifier, $"'{Clip(value)}' is not an IP address in its textual form (RFC 8738 §3).");
        }

        // An IPv4-mapped IPv6 address is an IPv4 address in disguise (NameRule refuses it in a CSR): the client asks for the IPv4 address.
        return address.IsIPv4MappedToIPv6
            ? throw new AcmeProblemException(ProblemKind.BadRequest, AcmeErrors.RejectedIdentifier, $"'{Clip(value)}' is an IPv4-mapped IPv6 address; order {address.MapToIPv4()} instead.")
            : new AcmeIdentifier(AcmeIdentifier.Ip, address.ToString());
    }

    /// <summary>
    /// The challenges offered for an identifier, each with its own token: a name may prove itself by http-01,
    /// tls-alpn-01 or dns-01 (the client picks one; the first to succeed or fail for good decides the authorization),
    /// an address by http-01 or tls-alpn-01 (RFC 8738 §7: dns-01 has no meaning for an address).
    /// </summary>
    private static IReadOnlyList<AcmeChallenge> Challenges(AcmeIdentifier identifier)
    {
        string[] types = identifier.Type == AcmeIdentifier.Dns ? [AcmeChallenge.Http01, AcmeChallenge.TlsAlpn01, AcmeChallenge.Dns01] : [AcmeChallenge.Http01, AcmeChallenge.TlsAlpn01];
        return [.. types.Select(t => new AcmeChallenge(t, Base64Url.Encode(RandomNumberGenerator.GetBytes(32)), AcmeStatus.Pending))];
    }

    private static bool IsId(string id) => id.Length is > 0 and <= 64 && id.All(char.IsAsciiHexDigitLower);

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static string Clip(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
