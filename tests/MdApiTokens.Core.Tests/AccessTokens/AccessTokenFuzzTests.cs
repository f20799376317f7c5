using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MdApiTokens.Core.AccessTokens;
using MdApiTokens.Tests.Shared;
using Xunit.Abstractions;

namespace MdApiTokens.Core.Tests.AccessTokens;

/// <summary>Random mutations of a valid token never throw and are never accepted; hostile claims fail their own check.</summary>
public sealed class AccessTokenFuzzTests : IDisposable
{
    private const int Mutations = 5000;
    private const string Tenant = "6f2b1a3c-0d4e-4f5a-9b8c-7d6e5f4a3b2c";
    private static readonly DateTimeOffset s_now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly string s_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.= \t!\"{}[]";

    private readonly ITestOutputHelper _output;
    private readonly RSA _key = RSA.Create(2048);
    private readonly AccessTokenValidator _validator = new(new ManualClock(s_now));
    private readonly AccessTokenValidationOptions _options;
    private readonly string _valid;

    public AccessTokenFuzzTests(ITestOutputHelper output)
    {
        _output = output;
        _options = new AccessTokenValidationOptions { SigningKeys = AccessTokenSigningKeys.FromJson(TestJwt.Jwks((_key, "k1"))), TenantId = Tenant, RequiredRoles = new[] { "Incident.Read.All" } };
        _valid = TestJwt.Create(_key, TestJwt.AppOnlyClaims(Tenant, Guid.NewGuid().ToString(), s_now.AddMinutes(-5), TimeSpan.FromHours(1), "Incident.Read.All"), "k1");
    }

    [Fact]
    public void Thousands_of_mutated_tokens_never_throw_and_none_is_accepted()
    {
        Assert.True(_validator.Validate(_valid, _options).IsValid);
        var random = new Random(20261123);
        var original = Segments(_valid);
        int tried = 0, accepted = 0, forged = 0;
        for (var i = 0; i < Mutations; i++)
        {
            var mutated = Mutate(_valid, random);
            tried++;
            var result = _validator.Validate(mutated, _options);
            if (result.IsValid)
            {
                accepted++;
                // Only an encoding of exactly the signed bytes may pass (a different last base64url character can carry the same bits).
                if (!Segments(mutated).SequenceEqual(original, s_bytesComparer))
                {
                    forged++;
                }
            }
        }

        _output.WriteLine($"Fuzzed JWTs tried: {tried}; exceptions: 0; accepted: {accepted}; forged accepted: {forged}.");
        Assert.Equal(0, forged);
    }

    [Theory]
    [InlineData("aud", "null", AccessTokenCheck.Audience)]
    [InlineData("aud", "[null]", AccessTokenCheck.Audience)]
    [InlineData("aud", "{\"a\":1}", AccessTokenCheck.Audience)]
    [InlineData("exp", "\"soon\"", AccessTokenCheck.Expiry)]
    [InlineData("exp", "1e400", AccessTokenCheck.Expiry)]
    [InlineData("exp", "[1]", AccessTokenCheck.Expiry)]
    [InlineData("nbf", "true", AccessTokenCheck.NotBefore)]
    [InlineData("roles", "\"Incident.Read.All\"", null)]
    [InlineData("roles", "[1,2]", AccessTokenCheck.Roles)]
    [InlineData("roles", "null", AccessTokenCheck.Roles)]
    [InlineData("tid", "42", AccessTokenCheck.Tenant)]
    [InlineData("tid", "null", AccessTokenCheck.Tenant)]
    public void Hostile_claims_in_a_validly_signed_token_fail_their_check_without_throwing(string claim, string json, AccessTokenCheck? failed)
    {
        var payload = JsonNode.Parse(Encoding.UTF8.GetString(TestJwt.Decode(_valid.Split('.')[1])))!.AsObject();
        payload[claim] = JsonNode.Parse(json);
        var token = Sign("{\"alg\":\"RS256\",\"kid\":\"k1\"}", payload.ToJsonString());

        var result = _validator.Validate(token, _options);

        Assert.Equal(failed is null ? Array.Empty<AccessTokenCheck>() : new[] { failed.Value }, result.FailedChecks);
    }

    [Theory]
    [InlineData("{\"alg\":\"none\"}")]
    [InlineData("{\"alg\":\"None\",\"kid\":\"k1\"}")]
    [InlineData("{\"alg\":\"HS256\",\"kid\":\"k1\"}")]
    [InlineData("{\"alg\":null,\"kid\":\"k1\"}")]
    [InlineData("{\"kid\":\"k1\"}")]
    public void Unsigned_or_symmetric_algorithms_are_never_valid_with_or_without_keys(string header)
    {
        var payload = Encoding.UTF8.GetString(TestJwt.Decode(_valid.Split('.')[1]));
        var signingInput = TestJwt.Encode(header) + "." + TestJwt.Encode(payload);
        // HMAC keyed with the public key: the classic confusion of a verifier that lets the token choose the algorithm.
        var hmac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestJwt.Jwks((_key, "k1"))), Encoding.ASCII.GetBytes(signingInput));
        foreach (var token in new[] { signingInput + ".", signingInput + "." + TestJwt.Encode(hmac) })
        {
            Assert.False(_validator.Validate(token, _options).IsValid);
            Assert.False(_validator.Validate(token, new AccessTokenValidationOptions { SkipSignatureCheck = true, TenantId = Tenant }).IsValid);
        }
    }

    private string Sign(string header, string payload)
    {
        var input = TestJwt.Encode(header) + "." + TestJwt.Encode(payload);
        return input + "." + TestJwt.Encode(_key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    private static string Mutate(string token, Random random)
    {
        var chars = token.ToCharArray().ToList();
        switch (random.Next(8))
        {
            case 0:
                chars[random.Next(chars.Count)] = s_alphabet[random.Next(s_alphabet.Length)];
                break;
            case 1:
                chars.RemoveAt(random.Next(chars.Count));
                break;
            case 2:
                chars.Insert(random.Next(chars.Count), s_alphabet[random.Next(s_alphabet.Length)]);
                break;
            case 3:
                return token.Substring(0, random.Next(token.Length));
            case 4:
                {
                    var parts = token.Split('.');
                    (parts[0], parts[1]) = random.Next(2) == 0 ? (parts[1], parts[0]) : (parts[0], parts[1] + parts[1]);
                    return string.Join(".", parts);
                }

            case 5:
                return MutateJson(token, random);
            case 6:
                for (var n = random.Next(2, 20); n > 0; n--)
                {
                    chars[random.Next(chars.Count)] = s_alphabet[random.Next(s_alphabet.Length)];
                }

                break;
            default:
                {
                    var bytes = Encoding.ASCII.GetBytes(token);
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    return Encoding.Latin1.GetString(bytes);
                }
        }

        return new string(chars.ToArray());
    }

    // Replaces a claim with a hostile value and keeps the original signature: a forgery attempt on the claims.
    private static string MutateJson(string token, Random random)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Encoding.UTF8.GetString(TestJwt.Decode(parts[1])))!.AsObject();
        var claims = new[] { "aud", "exp", "nbf", "roles", "tid", "iss", "appid" };
        var values = new[] { "null", "[null]", "1e400", "\"x\"", "{}", "[]", "true", "-1", "99999999999999999999", "[\"Incident.ReadWrite.All\"]", "\"\\u0000\"" };
        payload[claims[random.Next(claims.Length)]] = JsonNode.Parse(values[random.Next(values.Length)]);
        return parts[0] + "." + TestJwt.Encode(payload.ToJsonString()) + "." + parts[2];
    }

    private static byte[][] Segments(string token)
    {
        try
        {
            return token.Trim().Split('.').Select(TestJwt.Decode).ToArray();
        }
        catch (FormatException)
        {
            return Array.Empty<byte[]>();
        }
    }

    private static readonly IEqualityComparer<byte[]> s_bytesComparer = EqualityComparer<byte[]>.Create((a, b) => a!.AsSpan().SequenceEqual(b), b => b.Length);

    public void Dispose() => _key.Dispose();
}
