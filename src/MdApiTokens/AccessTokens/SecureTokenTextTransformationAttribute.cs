using System;
using System.Management.Automation;
using System.Security;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Commands.AccessTokens;

/// <summary>
/// Lets a plain-text -AccessToken also take a SecureString (Get-PartnerAccessToken -AsSecureString's AccessToken, by
/// property name); anything else is left to the binder.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecureTokenTextTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) =>
        (inputData is PSObject pso ? pso.BaseObject : inputData) is SecureString secure ? SecretText.Unwrap(secure) : inputData;
}
