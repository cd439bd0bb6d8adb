namespace Pki.Functions.Http.OpenApi;

/// <summary>
/// What an HTTP function's OpenAPI operation says beyond its route and methods (which come from its trigger): a summary,
/// the request body and the success response. Every HTTP function carries one; the document cannot be built without it.
/// A function that answers two methods differently carries one per method (<see cref="Method"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiOperationAttribute(string summary) : Attribute
{
    public string Summary { get; } = summary;

    /// <summary>The HTTP method this describes, for a function whose methods answer differently; null for all of them.</summary>
    public string? Method { get; set; }

    /// <summary>The JSON body's type; null for none.</summary>
    public Type? Request { get; set; }

    /// <summary>The body's media type when it is not JSON (an OCSP request).</summary>
    public string? RequestMediaType { get; set; }

    /// <summary>The success body's type (a JSON schema is derived from it); null for a body described by <see cref="ResponseMediaType"/> only, or none.</summary>
    public Type? Response { get; set; }

    public int Status { get; set; } = 200;

    /// <summary>The success body's media types, comma-separated, when not JSON.</summary>
    public string? ResponseMediaType { get; set; }

    /// <summary>A second success answer (202 for a request held for approval) and its body's type.</summary>
    public int AlternateStatus { get; set; }

    public Type? AlternateResponse { get; set; }

    /// <summary>Reachable without credentials (relying parties, probes, the dashboard's files and sign-in).</summary>
    public bool Public { get; set; }

    /// <summary>The permission the caller needs (a <c>Permission</c> name), shown as <c>x-permission</c>.</summary>
    public string? Permission { get; set; }
}
