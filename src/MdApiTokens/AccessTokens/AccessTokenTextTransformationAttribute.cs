using System;
using System.Management.Automation;
using System.Security;
using MdApiTokens.Core.PartnerAccess;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Commands.AccessTokens;

/// <summary>
/// Lets Test-AccessToken's string -AccessToken also take a SecureString (Get-PartnerAccessToken -AsSecureString's
/// AccessToken, bound by property name) or a token object, instead of the text "System.Security.SecureString".
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class AccessTokenTextTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) =>
        (inputData is PSObject pso ? pso.BaseObject : inputData) switch
        {
            SecureString secure => SecretText.Unwrap(secure),
            SecurePartnerAccessToken token => SecretText.Unwrap(token.AccessToken),
            PartnerAccessToken token => token.AccessToken,
            var other => other,
        };
}
