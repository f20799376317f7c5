using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using MdApiTokens.Module.Tests.Infrastructure;

namespace MdApiTokens.Module.Tests.Loading;

/// <summary>An assembly file read as metadata only: nothing is loaded, so any assembly can be inspected on any OS.</summary>
public sealed class AssemblyMetadata
{
    // Platform-not-supported builds are generated: every public member throws. The module's real dependencies throw it
    // from a handful of members at most (MSAL's netstandard2.0 build: 1 of about 700), so a quarter is far from both.
    private const double StubShare = 0.25;

    private AssemblyMetadata(string path)
    {
        Path = path;
        using var pe = new PEReader(File.OpenRead(path));
        var reader = pe.GetMetadataReader();
        Name = reader.GetString(reader.GetAssemblyDefinition().Name);
        References = reader.AssemblyReferences
            .Select(h => reader.GetAssemblyReference(h))
            .Select(r => (reader.GetString(r.Name), r.Version))
            .ToList();
        TargetFramework = ReadTargetFramework(reader);
        (PublicMethods, PublicMethodsThatOnlyThrowPlatformNotSupported) = CountStubMethods(pe, reader);
    }

    public string Path { get; }

    public string Name { get; }

    public IReadOnlyList<(string Name, Version Version)> References { get; }

    public string? TargetFramework { get; }

    public int PublicMethods { get; }

    public int PublicMethodsThatOnlyThrowPlatformNotSupported { get; }

    /// <summary>True for a generated platform-not-supported build, such as the netstandard2.0 build of System.Security.AccessControl.</summary>
    public bool IsPlatformNotSupportedStub =>
        PublicMethods > 0 && PublicMethodsThatOnlyThrowPlatformNotSupported > PublicMethods * StubShare;

    public static AssemblyMetadata Read(string path) => new(path);

    public override string ToString() =>
        $"{Name} ({RepositoryLayout.Relative(Path)}: {PublicMethodsThatOnlyThrowPlatformNotSupported} of {PublicMethods} public methods only throw PlatformNotSupportedException)";

    private static string? ReadTargetFramework(MetadataReader reader)
    {
        foreach (var handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind == HandleKind.MemberReference
                && reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent is { Kind: HandleKind.TypeReference } parent
                && reader.GetString(reader.GetTypeReference((TypeReferenceHandle)parent).Name) == "TargetFrameworkAttribute")
            {
                var value = reader.GetBlobReader(attribute.Value);
                value.ReadUInt16(); // prolog
                return value.ReadSerializedString();
            }
        }

        return null;
    }

    private static (int Public, int Stubs) CountStubMethods(PEReader pe, MetadataReader reader)
    {
        int count = 0, stubs = 0;
        foreach (var type in reader.TypeDefinitions.Select(reader.GetTypeDefinition))
        {
            var typeVisibility = type.Attributes & System.Reflection.TypeAttributes.VisibilityMask;
            if (typeVisibility is not (System.Reflection.TypeAttributes.Public or System.Reflection.TypeAttributes.NestedPublic))
            {
                continue;
            }

            foreach (var method in type.GetMethods().Select(reader.GetMethodDefinition))
            {
                var access = method.Attributes & System.Reflection.MethodAttributes.MemberAccessMask;
                if (method.RelativeVirtualAddress == 0 || access is not (System.Reflection.MethodAttributes.Public or System.Reflection.MethodAttributes.Family))
                {
                    continue;
                }

                count++;
                if (OnlyThrowsPlatformNotSupported(reader, pe.GetMethodBody(method.RelativeVirtualAddress).GetILBytes()!))
                {
                    stubs++;
                }
            }
        }

        return (count, stubs);
    }

    // The generated body: an optional message (ldstr, or a call to a resource getter), newobj PlatformNotSupportedException, throw.
    private static bool OnlyThrowsPlatformNotSupported(MetadataReader reader, byte[] il)
    {
        const byte ldstr = 0x72, call = 0x28, newobj = 0x73, @throw = 0x7A;
        var at = il.Length > 0 && il[0] is ldstr or call ? 5 : 0;
        if (il.Length != at + 6 || il[at] != newobj || il[at + 5] != @throw)
        {
            return false;
        }

        var constructor = MetadataTokens.EntityHandle(BitConverter.ToInt32(il, at + 1));
        return constructor.Kind == HandleKind.MemberReference
            && reader.GetMemberReference((MemberReferenceHandle)constructor).Parent is { Kind: HandleKind.TypeReference } type
            && reader.GetString(reader.GetTypeReference((TypeReferenceHandle)type).Name) == nameof(PlatformNotSupportedException);
    }
}
