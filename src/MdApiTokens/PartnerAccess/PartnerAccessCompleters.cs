using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MdApiTokens.Commands.PartnerAccess;

/// <summary>Tab completion of the thumbprints of certificates with a private key in Cert:\CurrentUser\My (and LocalMachine\My where it exists).</summary>
public sealed class CertificateThumbprintCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = (wordToComplete ?? "").Trim('\'', '"');
        var results = new List<CompletionResult>();
        foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            try
            {
                using var store = new X509Store(StoreName.My, location);
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                foreach (var certificate in store.Certificates)
                {
                    using (certificate)
                    {
                        if (certificate.HasPrivateKey && certificate.Thumbprint.StartsWith(typed, StringComparison.OrdinalIgnoreCase)
                            && results.All(r => r.CompletionText != certificate.Thumbprint))
                        {
                            results.Add(new CompletionResult(certificate.Thumbprint, certificate.Thumbprint, CompletionResultType.ParameterValue,
                                $"{certificate.Subject} (expires {certificate.NotAfter:yyyy-MM-dd}, {location}\\My)"));
                        }
                    }
                }
            }
            catch (CryptographicException)
            {
                // No such store on this platform.
            }
        }

        return results;
    }
}

/// <summary>Tab completion of the Microsoft 365 Defender application permissions a token's roles claim may carry.</summary>
public sealed class DefenderRoleCompleter : IArgumentCompleter
{
    private static readonly (string Role, string Description)[] s_roles =
    {
        ("Incident.Read.All", "Read all incidents"),
        ("Incident.ReadWrite.All", "Read and write all incidents"),
        ("AdvancedHunting.Read.All", "Run advanced queries"),
        ("CustomDetections.ReadWrite.All", "Read and write custom detection rules"),
    };

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var typed = (wordToComplete ?? "").Trim('\'', '"');
        return s_roles
            .Where(r => r.Role.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .Select(r => new CompletionResult(r.Role, r.Role, CompletionResultType.ParameterValue, r.Description))
            .ToList();
    }
}
