using MdApiTokens.Core.AccessTokens;
using MdApiTokens.Core.Defender;
using MdApiTokens.Core.PartnerAccess;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Core.Tests.Shared;

/// <summary>An address a user typed with <c>user:password@</c> in it is refused everywhere without the password reaching an error.</summary>
public class BaseAddressTests
{
    private const string Password = "s3cret-pw";

    public static TheoryData<string> AddressesWithPasswords() => new()
    {
        "https://alice:" + Password + "@login.example.com/",
        "http://alice:" + Password + "@login.example.com/",
        "ftp://alice:" + Password + "@login.example.com/",
    };

    [Theory]
    [MemberData(nameof(AddressesWithPasswords))]
    public void An_authority_host_with_a_password_is_refused_without_echoing_it(string address)
    {
        AssertNoPassword(Assert.Throws<MdApiTokensException>(() => PartnerClouds.ValidateAuthorityHost(new Uri(address))));
    }

    [Theory]
    [MemberData(nameof(AddressesWithPasswords))]
    public void A_key_authority_with_a_password_is_refused_without_echoing_it(string address)
    {
        var validator = new AccessTokenValidator(SystemClock.Instance);
        AssertNoPassword(Assert.Throws<MdApiTokensException>(() => validator.Validate("a.b.c", new AccessTokenValidationOptions { AuthorityHost = new Uri(address) })));
    }

    [Theory]
    [MemberData(nameof(AddressesWithPasswords))]
    public void An_api_base_with_a_password_is_refused_without_echoing_it(string address)
    {
        AssertNoPassword(Assert.Throws<MdApiTokensException>(() => DefenderApiEndpoint.CheckSafeForBearerToken(new Uri(address))));
    }

    [Fact]
    public void ForDisplay_drops_only_the_user_information()
    {
        Assert.Equal("https://login.example.com:8443/x?y=1", BaseAddress.ForDisplay(new Uri("https://alice:" + Password + "@login.example.com:8443/x?y=1")));
        Assert.Equal("https://login.example.com/", BaseAddress.ForDisplay(new Uri("https://login.example.com/")));
        Assert.DoesNotContain(Password, BaseAddress.ForDisplay(new Uri("path/alice:" + Password + "@host", UriKind.Relative)));
    }

    private static void AssertNoPassword(MdApiTokensException e)
    {
        Assert.DoesNotContain(Password, e.Message);
        Assert.DoesNotContain(Password, e.Target?.ToString() ?? "");
        Assert.DoesNotContain(Password, e.RecommendedAction ?? "");
    }
}
