namespace Pki.Core.Acme;

/// <summary>An order's identifier: <c>dns</c> with a lower-case name, or <c>ip</c> (RFC 8738) with a canonical address.</summary>
public sealed record AcmeIdentifier(string Type, string Value)
{
    public const string Dns = "dns";
    public const string Ip = "ip";
}
