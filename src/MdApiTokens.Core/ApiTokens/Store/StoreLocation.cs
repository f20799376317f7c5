using System;
using System.IO;
using System.Runtime.InteropServices;

namespace MdApiTokens.Core.ApiTokens;

/// <summary>Where a store path came from.</summary>
public enum StoreLocationSource
{
    /// <summary>The -StorePath parameter.</summary>
    Parameter,

    /// <summary>The MDAPITOKENS_STORE environment variable.</summary>
    Environment,

    /// <summary>The per-user default folder.</summary>
    Default,
}

/// <summary>Chooses the store folder: an explicit path, else <c>$env:MDAPITOKENS_STORE</c>, else the per-user default.</summary>
public sealed class StoreLocation
{
    public const string EnvironmentVariable = "MDAPITOKENS_STORE";
    public const string FolderName = "MdApiTokens";

    private StoreLocation(string path, StoreLocationSource source)
    {
        Path = path;
        Source = source;
    }

    public string Path { get; }

    public StoreLocationSource Source { get; }

    /// <param name="parameterPath">The path given on the command line, if any.</param>
    /// <param name="getEnvironmentVariable">Reads an environment variable (injected for tests).</param>
    /// <param name="resolvePath">Turns a user-typed path into a full file-system path (the module resolves PowerShell drives such as TestDrive:).</param>
    public static StoreLocation Resolve(string? parameterPath, Func<string, string?> getEnvironmentVariable, Func<string, string>? resolvePath = null)
    {
        resolvePath ??= p => p;
        if (!string.IsNullOrWhiteSpace(parameterPath))
        {
            return new StoreLocation(resolvePath(parameterPath!), StoreLocationSource.Parameter);
        }

        var fromEnvironment = getEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return new StoreLocation(resolvePath(fromEnvironment!), StoreLocationSource.Environment);
        }

        return new StoreLocation(DefaultPath(getEnvironmentVariable), StoreLocationSource.Default);
    }

    /// <summary><c>%LOCALAPPDATA%\MdApiTokens</c> on Windows; <c>$XDG_DATA_HOME/MdApiTokens</c> or <c>~/.local/share/MdApiTokens</c> elsewhere.</summary>
    public static string DefaultPath(Func<string, string?> getEnvironmentVariable)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            var local = getEnvironmentVariable("LOCALAPPDATA");
            if (string.IsNullOrEmpty(local))
            {
                local = System.Environment.GetFolderPath(System.Environment.SpecialFolder.LocalApplicationData);
            }

            return System.IO.Path.Combine(local!, FolderName);
        }

        var dataHome = getEnvironmentVariable("XDG_DATA_HOME");
        if (!string.IsNullOrEmpty(dataHome) && System.IO.Path.IsPathRooted(dataHome))
        {
            return System.IO.Path.Combine(dataHome!, FolderName);
        }

        var home = getEnvironmentVariable("HOME");
        if (string.IsNullOrEmpty(home))
        {
            home = System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        }

        return System.IO.Path.Combine(home!, ".local", "share", FolderName);
    }

    /// <summary>Opens the store here; only the default location creates its missing parent folders.</summary>
    public ApiTokenStore Open(TimeSpan? lockTimeout = null) =>
        new(Path, createMissingParents: Source == StoreLocationSource.Default, lockTimeout);

    public override string ToString() => Path;
}
