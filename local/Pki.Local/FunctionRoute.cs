using System.Reflection;

namespace Pki.Local;

/// <summary>One HTTP-triggered function as the Functions host would expose it.</summary>
public sealed record FunctionRoute(string Name, IReadOnlyList<string> Methods, string Route, string AuthLevel, Type FunctionType, MethodInfo Method);
