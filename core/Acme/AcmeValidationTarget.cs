using System.Net;
using System.Net.Sockets;
using Pki.Core.Discovery;

namespace Pki.Core.Acme;

/// <summary>
/// The address a validation connects to for an identifier, or why none may be: the name is resolved once (or answered by
/// <see cref="AcmeOptions.ValidationHosts"/>) and only an address inside <c>Pki:Discovery:AllowedNetworks</c> is taken,
/// so that the connection goes to the allowed address itself and DNS cannot steer it elsewhere afterwards.
/// </summary>
public sealed record AcmeValidationTarget(IPAddress? Address, AcmeValidationResult? Refusal)
{
    public static async Task<AcmeValidationTarget> ResolveAsync(NetworkPolicy network, AcmeOptions acme, AcmeIdentifier identifier, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(acme);
        ArgumentNullException.ThrowIfNull(identifier);
        IReadOnlyList<IPAddress> resolved;
        try
        {
            // RFC 8738 §7: an ip identifier is validated at that address itself, never through a name.
            resolved = identifier.Type == AcmeIdentifier.Ip ? [IPAddress.Parse(identifier.Value)]
                : acme.ValidationHost(identifier.Value) is { } fixedAddress ? [fixedAddress]
                : await network.ResolveAsync(identifier.Value, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            return new(null, AcmeValidationResult.Failure(AcmeErrors.Dns, $"{identifier.Value} does not resolve: {e.SocketErrorCode}."));
        }

        var allowed = network.AllowedAddresses(resolved);

        // The operator's policy, not the network, stands in the way: no retry or other port would help, so the
        // identifier is refused rather than reported as a connection failure.
        return allowed.Count == 0
            ? new(null, AcmeValidationResult.Failure(AcmeErrors.RejectedIdentifier,
                $"No address of {identifier.Value} ({string.Join(", ", resolved)}) lies in a network validation may reach (Pki:Discovery:AllowedNetworks)."))
            : new(allowed[0], null);
    }
}
