using System;
using System.Management.Automation;
using System.Security;
using MdApiTokens.Core.PartnerAccess;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Commands.Defender;

/// <summary>
/// Lets an -AccessToken parameter typed SecureString also take a plain string (a token pasted or read from a file)
/// or a PartnerAccessToken object. The plain text is copied into a SecureString at once.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class AccessTokenTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject pso ? pso.BaseObject : inputData;
        return value switch
        {
            null => null,
            SecureString secure => secure,
            string text => SecretText.Wrap(BearerToken.Normalize(text)),
            PartnerAccessToken token => SecretText.Wrap(token.AccessToken),
            SecurePartnerAccessToken token => token.AccessToken,
            _ => throw new ArgumentTransformationMetadataException(
                $"An access token must be a string, a SecureString or a PartnerAccessToken, not {value.GetType().Name}."),
        };
    }
}
