using System.Security.Cryptography;
using MdApiTokens.Core.ApiTokens;

namespace MdApiTokens.Core.Tests.ApiTokens;

public class ApiTokenValueTests
{
    [Fact]
    public void Generated_value_has_prefix_fixed_length_and_base62_body()
    {
        using var rng = RandomNumberGenerator.Create();
        var value = ApiTokenValue.Generate(rng);

        Assert.StartsWith("mdat_", value);
        Assert.Equal(ApiTokenValue.Length, value.Length);
        Assert.Equal(54, value.Length);
        Assert.Matches("^mdat_[0-9A-Za-z]{49}$", value);
        Assert.True(ApiTokenValue.IsWellFormed(value));
    }

    [Fact]
    public void Body_carries_at_least_256_bits()
    {
        // 43 base62 characters hold log2(62^43) = 256.03 bits; the generator feeds them 32 random bytes.
        Assert.True(ApiTokenValue.SecretLength * Math.Log2(62) >= 256);
        Assert.Equal(32, ApiTokenValue.SecretBytes);

        using var rng = RandomNumberGenerator.Create();
        var values = Enumerable.Range(0, 2000).Select(_ => ApiTokenValue.Generate(rng)).ToList();
        Assert.Equal(values.Count, values.Distinct().Count());

        // Every position of the body varies: no fixed padding hides a shorter secret.
        for (var i = 5; i < 5 + ApiTokenValue.SecretLength; i++)
        {
            Assert.True(values.Select(v => v[i]).Distinct().Count() > 20, $"position {i} barely varies");
        }
    }

    [Fact]
    public void Generation_uses_the_given_random_source()
    {
        var a = ApiTokenValue.Generate(new FixedRandom(7));
        var b = ApiTokenValue.Generate(new FixedRandom(7));
        var c = ApiTokenValue.Generate(new FixedRandom(8));

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Any_single_character_change_fails_the_checksum()
    {
        using var rng = RandomNumberGenerator.Create();
        var value = ApiTokenValue.Generate(rng);
        const string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

        for (var i = 5; i < value.Length; i++)
        {
            var replacement = alphabet[(alphabet.IndexOf(value[i]) + 1) % alphabet.Length];
            var typo = value.Substring(0, i) + replacement + value.Substring(i + 1);
            Assert.False(ApiTokenValue.IsWellFormed(typo), $"a change at position {i} went unnoticed");
        }
    }

    [Fact]
    public void Swapped_adjacent_characters_fail_the_checksum()
    {
        using var rng = RandomNumberGenerator.Create();
        var value = ApiTokenValue.Generate(rng);
        for (var i = 5; i < 5 + ApiTokenValue.SecretLength - 1; i++)
        {
            if (value[i] == value[i + 1])
            {
                continue;
            }

            var chars = value.ToCharArray();
            (chars[i], chars[i + 1]) = (chars[i + 1], chars[i]);
            Assert.False(ApiTokenValue.IsWellFormed(new string(chars)));
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("mdat_")]
    [InlineData("not a token")]
    [InlineData("Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9")]
    public void Malformed_values_are_rejected(string? value) => Assert.False(ApiTokenValue.IsWellFormed(value));

    [Fact]
    public void Wrong_prefix_truncation_extra_characters_and_foreign_characters_are_rejected()
    {
        using var rng = RandomNumberGenerator.Create();
        var value = ApiTokenValue.Generate(rng);

        Assert.False(ApiTokenValue.IsWellFormed("MDAT_" + value.Substring(5)));
        Assert.False(ApiTokenValue.IsWellFormed("ghp_x" + value.Substring(5)));
        Assert.False(ApiTokenValue.IsWellFormed(value.Substring(0, value.Length - 1)));
        Assert.False(ApiTokenValue.IsWellFormed(value + "A"));
        Assert.False(ApiTokenValue.IsWellFormed(" " + value.Substring(1)));
        Assert.False(ApiTokenValue.IsWellFormed(value.Substring(0, 20) + "-" + value.Substring(21)));
        Assert.False(ApiTokenValue.IsWellFormed(value.Substring(0, 20) + "é" + value.Substring(21)));
    }

    [Fact]
    public void Hash_is_sha256_hex_of_the_value()
    {
        Assert.Equal(
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ApiTokenValue.ComputeHash("abc"));
    }

    [Fact]
    public void Hint_shows_prefix_and_last_four_only()
    {
        using var rng = RandomNumberGenerator.Create();
        var value = ApiTokenValue.Generate(rng);
        var hint = ApiTokenValue.Hint(value);

        Assert.Equal("mdat_..." + value[^4..], hint);
        Assert.DoesNotContain(value.Substring(5, 10), hint);
    }

    [Fact]
    public void Hash_comparison_needs_every_character_equal()
    {
        var a = ApiTokenValue.ComputeHash("one");
        Assert.True(ApiTokenValue.HashesEqual(a, new string(a.ToCharArray())));
        Assert.False(ApiTokenValue.HashesEqual(a, ApiTokenValue.ComputeHash("two")));
        Assert.False(ApiTokenValue.HashesEqual(a, a[..^1] + (a[^1] == '0' ? '1' : '0')));
        Assert.False(ApiTokenValue.HashesEqual(a, a[..^1]));
    }

    private sealed class FixedRandom : RandomNumberGenerator
    {
        private readonly Random _random;

        public FixedRandom(int seed) => _random = new Random(seed);

        public override void GetBytes(byte[] data) => _random.NextBytes(data);
    }
}
