// Compiler support types that netstandard2.0 lacks; internal so they never clash with a host's copies.
#pragma warning disable IDE0130
namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit { }
}
