using System.Runtime.InteropServices;
using MdApiTokens.Core;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Core.Tests;

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock : IClock
{
    public ManualClock(DateTimeOffset start) => UtcNow = start;

    public DateTimeOffset UtcNow { get; set; }

    public void Advance(TimeSpan by) => UtcNow += by;
}

/// <summary>A fresh folder under the temp directory, deleted afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mdat-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine(new[] { Path }.Concat(parts).ToArray());

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A store in a temp folder with a manual clock and services acting as named users.</summary>
public sealed class StoreFixture : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    private readonly TempFolder _folder = new();

    public StoreFixture()
    {
        StorePath = _folder.Combine("store");
        Store = new ApiTokenStore(StorePath);
    }

    public ManualClock Clock { get; } = new(Start);

    public string StorePath { get; }

    public ApiTokenStore Store { get; }

    public string Admin => "alice";

    public ApiTokenService As(string user) => new(Store, Clock, user);

    public ApiTokenService AsAdmin() => As(Admin);

    public ApiTokenValidator Validator() => new(Store, Clock);

    /// <summary>Creates the store with alice as global admin, bob as security operator and carol as security reader.</summary>
    public StoreFixture WithTeam()
    {
        AsAdmin().Initialize(null);
        AsAdmin().GrantRole("bob", ApiTokenRole.SecurityOperator);
        AsAdmin().GrantRole("carol", ApiTokenRole.SecurityReader);
        return this;
    }

    public byte[] StoreBytes() => File.ReadAllBytes(Store.FilePath);

    public string StoreText() => File.ReadAllText(Store.FilePath);

    public void Dispose() => _folder.Dispose();
}

public static class Platform
{
    public static bool IsUnix => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
}

public static class Assertions
{
    public static MdApiTokensException ThrowsError(string errorId, ErrorKind kind, Action action)
    {
        var e = Assert.Throws<MdApiTokensException>(action);
        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(kind, e.Kind);
        return e;
    }
}
