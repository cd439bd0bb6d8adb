namespace Pki.Functions.Http.OpenApi;

/// <summary>One query parameter of an HTTP function, for its OpenAPI operation.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiQueryAttribute(string name, string description) : Attribute
{
    public string Name { get; } = name;

    public string Description { get; } = description;

    /// <summary>The JSON Schema type: string (default) or integer.</summary>
    public string Type { get; set; } = "string";
}
