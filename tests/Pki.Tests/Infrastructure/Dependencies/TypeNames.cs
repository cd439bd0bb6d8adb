using System.Collections.Immutable;
using System.Reflection.Metadata;

namespace Pki.Tests.Infrastructure.Dependencies;

/// <summary>
/// The full names of the types a metadata handle or signature names (a generic instantiation names its arguments too);
/// a nested type is named by its outermost type, whose namespace it shares.
/// </summary>
public sealed class TypeNames(MetadataReader md) : ISignatureTypeProvider<IReadOnlyList<string>, object?>
{
    private static readonly IReadOnlyList<string> None = [];

    /// <summary>The namespace of a name <see cref="Outermost"/> or <see cref="Of"/> gave.</summary>
    public static string Namespace(string fullName) => fullName.LastIndexOf('.') is var dot and >= 0 ? fullName[..dot] : string.Empty;

    /// <summary>The outermost type declaring <paramref name="handle"/> (or itself), as Namespace.Name.</summary>
    public string Outermost(TypeDefinitionHandle handle)
    {
        var type = md.GetTypeDefinition(handle);
        while (type.GetDeclaringType() is { IsNil: false } outer)
        {
            type = md.GetTypeDefinition(outer);
        }

        return Join(md.GetString(type.Namespace), md.GetString(type.Name));
    }

    /// <summary>The types a type, member, method instantiation or signature token names.</summary>
    public IReadOnlyList<string> Of(EntityHandle handle)
    {
        if (handle.IsNil)
        {
            return None;
        }

        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                return [Outermost((TypeDefinitionHandle)handle)];
            case HandleKind.TypeReference:
                return [Outermost((TypeReferenceHandle)handle)];
            case HandleKind.TypeSpecification:
                return md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
            case HandleKind.FieldDefinition:
                var field = md.GetFieldDefinition((FieldDefinitionHandle)handle);
                return [Outermost(field.GetDeclaringType()), .. field.DecodeSignature(this, null)];
            case HandleKind.MethodDefinition:
                var method = md.GetMethodDefinition((MethodDefinitionHandle)handle);
                return [Outermost(method.GetDeclaringType()), .. Flatten(method.DecodeSignature(this, null))];
            case HandleKind.MemberReference:
                var member = md.GetMemberReference((MemberReferenceHandle)handle);
                var parent = member.Parent.Kind == HandleKind.ModuleReference ? None : Of(member.Parent);
                return member.GetKind() == MemberReferenceKind.Field
                    ? [.. parent, .. member.DecodeFieldSignature(this, null)]
                    : [.. parent, .. Flatten(member.DecodeMethodSignature(this, null))];
            case HandleKind.MethodSpecification:
                var spec = md.GetMethodSpecification((MethodSpecificationHandle)handle);
                return [.. Of(spec.Method), .. spec.DecodeSignature(this, null).SelectMany(t => t)];
            case HandleKind.StandaloneSignature:
                var standalone = md.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                return standalone.GetKind() == StandaloneSignatureKind.Method
                    ? Flatten(standalone.DecodeMethodSignature(this, null))
                    : standalone.DecodeLocalSignature(this, null).SelectMany(t => t).ToList();
            default:
                return None;
        }
    }

    public IReadOnlyList<string> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [Outermost(handle)];

    public IReadOnlyList<string> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => [Outermost(handle)];

    public IReadOnlyList<string> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
        reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

    public IReadOnlyList<string> GetGenericInstantiation(IReadOnlyList<string> genericType, ImmutableArray<IReadOnlyList<string>> typeArguments) =>
        [.. genericType, .. typeArguments.SelectMany(t => t)];

    public IReadOnlyList<string> GetFunctionPointerType(MethodSignature<IReadOnlyList<string>> signature) => Flatten(signature);

    public IReadOnlyList<string> GetModifiedType(IReadOnlyList<string> modifier, IReadOnlyList<string> unmodifiedType, bool isRequired) =>
        [.. modifier, .. unmodifiedType];

    public IReadOnlyList<string> GetPrimitiveType(PrimitiveTypeCode typeCode) => None;

    public IReadOnlyList<string> GetSZArrayType(IReadOnlyList<string> elementType) => elementType;

    public IReadOnlyList<string> GetArrayType(IReadOnlyList<string> elementType, ArrayShape shape) => elementType;

    public IReadOnlyList<string> GetByReferenceType(IReadOnlyList<string> elementType) => elementType;

    public IReadOnlyList<string> GetPointerType(IReadOnlyList<string> elementType) => elementType;

    public IReadOnlyList<string> GetPinnedType(IReadOnlyList<string> elementType) => elementType;

    public IReadOnlyList<string> GetGenericMethodParameter(object? genericContext, int index) => None;

    public IReadOnlyList<string> GetGenericTypeParameter(object? genericContext, int index) => None;



    private static IReadOnlyList<string> Flatten(MethodSignature<IReadOnlyList<string>> signature) =>
        [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(t => t)];

    private string Outermost(TypeReferenceHandle handle)
    {
        var type = md.GetTypeReference(handle);
        while (type.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            type = md.GetTypeReference((TypeReferenceHandle)type.ResolutionScope);
        }

        return Join(md.GetString(type.Namespace), md.GetString(type.Name));
    }

    private static string Join(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;
}
