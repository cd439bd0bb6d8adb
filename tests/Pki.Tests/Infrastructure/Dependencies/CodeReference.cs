namespace Pki.Tests.Infrastructure.Dependencies;

/// <summary>Code in namespace <paramref name="From"/> names a type of namespace <paramref name="To"/>; <paramref name="Evidence"/> says where.</summary>
public sealed record CodeReference(string From, string To, string Evidence);
