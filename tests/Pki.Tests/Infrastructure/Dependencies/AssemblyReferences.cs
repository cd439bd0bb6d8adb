using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Pki.Tests.Infrastructure.Dependencies;

/// <summary>
/// The types each type of a compiled assembly names, read from its metadata and its IL: base type, interfaces, generic
/// constraints, attributes, fields, properties, events, method signatures, and in method bodies the locals, caught
/// exception types and every type, method and field token an instruction carries (lambdas, local functions and async
/// state machines are nested types, so their code counts for the type that wrote them). What compiles to no token stays
/// unseen: an enum member or a const used as a value (the compiler copies the number), a typeof in an attribute argument,
/// a nameof; <see cref="SourceReferences"/> covers those through the source's using directives.
/// </summary>
public static class AssemblyReferences
{
    private static readonly Dictionary<int, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => (int)(ushort)o.Value, o => o.OperandType);

    /// <summary>Every reference from a type of the assembly at <paramref name="path"/> to another namespace, one per (from type, to type).</summary>
    public static IReadOnlyList<CodeReference> Read(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var md = pe.GetMetadataReader();
        var names = new TypeNames(md);
        var found = new HashSet<(string From, string To)>();

        foreach (var typeHandle in md.TypeDefinitions)
        {
            var from = names.Outermost(typeHandle);
            var type = md.GetTypeDefinition(typeHandle);
            var to = new List<string>();

            to.AddRange(names.Of(type.BaseType));
            foreach (var i in type.GetInterfaceImplementations())
            {
                to.AddRange(names.Of(md.GetInterfaceImplementation(i).Interface));
            }

            AddGenericConstraints(md, names, type.GetGenericParameters(), to);
            AddAttributes(md, names, type.GetCustomAttributes(), to);

            foreach (var f in type.GetFields())
            {
                var field = md.GetFieldDefinition(f);
                to.AddRange(field.DecodeSignature(names, null));
                AddAttributes(md, names, field.GetCustomAttributes(), to);
            }

            foreach (var p in type.GetProperties())
            {
                var property = md.GetPropertyDefinition(p);
                var signature = property.DecodeSignature(names, null);
                to.AddRange(signature.ReturnType);
                to.AddRange(signature.ParameterTypes.SelectMany(t => t));
                AddAttributes(md, names, property.GetCustomAttributes(), to);
            }

            foreach (var e in type.GetEvents())
            {
                to.AddRange(names.Of(md.GetEventDefinition(e).Type));
            }

            foreach (var m in type.GetMethods())
            {
                var method = md.GetMethodDefinition(m);
                var signature = method.DecodeSignature(names, null);
                to.AddRange(signature.ReturnType);
                to.AddRange(signature.ParameterTypes.SelectMany(t => t));
                AddGenericConstraints(md, names, method.GetGenericParameters(), to);
                AddAttributes(md, names, method.GetCustomAttributes(), to);
                foreach (var parameter in method.GetParameters())
                {
                    AddAttributes(md, names, md.GetParameter(parameter).GetCustomAttributes(), to);
                }

                if (method.RelativeVirtualAddress != 0)
                {
                    AddBody(md, names, pe.GetMethodBody(method.RelativeVirtualAddress), to);
                }
            }

            foreach (var target in to)
            {
                found.Add((from, target));
            }
        }

        return found
            .Select(r => new CodeReference(TypeNames.Namespace(r.From), TypeNames.Namespace(r.To), $"{r.From} -> {r.To}"))
            .Where(r => r.From != r.To)
            .ToList();
    }

    private static void AddBody(MetadataReader md, TypeNames names, MethodBodyBlock body, List<string> to)
    {
        if (!body.LocalSignature.IsNil)
        {
            foreach (var local in md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(names, null))
            {
                to.AddRange(local);
            }
        }

        foreach (var region in body.ExceptionRegions)
        {
            to.AddRange(names.Of(region.CatchType));
        }

        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            int code = il.ReadByte();
            if (code == 0xFE)
            {
                code = 0xFE00 | il.ReadByte();
            }

            switch (Operands[code])
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.ReadByte();
                    break;
                case OperandType.InlineVar:
                    il.ReadInt16();
                    break;
                case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.ShortInlineR or OperandType.InlineString:
                    il.ReadInt32();
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.ReadInt64();
                    break;
                case OperandType.InlineSwitch:
                    var targets = il.ReadInt32();
                    for (var i = 0; i < targets; i++)
                    {
                        il.ReadInt32();
                    }

                    break;
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType or OperandType.InlineSig:
                    to.AddRange(names.Of(MetadataTokens.EntityHandle(il.ReadInt32())));
                    break;
                default:
                    throw new InvalidOperationException($"IL operand type {Operands[code]} of opcode 0x{code:X} is not decoded.");
            }
        }
    }

    private static void AddGenericConstraints(MetadataReader md, TypeNames names, GenericParameterHandleCollection parameters, List<string> to)
    {
        foreach (var g in parameters)
        {
            foreach (var c in md.GetGenericParameter(g).GetConstraints())
            {
                to.AddRange(names.Of(md.GetGenericParameterConstraint(c).Type));
            }
        }
    }

    private static void AddAttributes(MetadataReader md, TypeNames names, CustomAttributeHandleCollection attributes, List<string> to)
    {
        foreach (var a in attributes)
        {
            to.AddRange(names.Of(md.GetCustomAttribute(a).Constructor));
        }
    }
}
