using System;
using System.Management.Automation;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using MdApiTokens.Core.Defender;
using MdApiTokens.Core.Shared;

namespace MdApiTokens.Commands.Defender;

/// <summary>The HTTP methods Invoke-DefenderApiRequest sends.</summary>
public enum DefenderApiMethod
{
    Get,
    Post,
    Patch,
    Put,
    Delete,
}

/// <summary>
/// Calls any Defender API endpoint (Microsoft 365 Defender, Defender for Endpoint) with each piped tenant's token:
/// paced, retried as Retry-After says, the token sent only to Defender hosts (or the host given as -ApiUri); writes the
/// answer as objects, or with -All the items of every page.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "DefenderApiRequest", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(PSObject))]
public sealed class InvokeDefenderApiRequestCommand : DefenderCmdlet
{
    private const string PathSet = "Path";
    private const string UriSet = "Uri";

    private byte[]? _body;

    /// <summary>The path under the API base, such as api/machines or /api/alerts?$top=10.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    /// <summary>An absolute address on a Defender API host (or on the host of -ApiUri).</summary>
    [Parameter(Mandatory = true, ParameterSetName = UriSet)]
    [ValidateNotNull]
    public Uri Uri { get; set; } = null!;

    [Parameter]
    public DefenderApiMethod Method { get; set; } = DefenderApiMethod.Get;

    /// <summary>The request body: an object or hashtable (written as JSON) or a JSON string.</summary>
    [Parameter]
    public object? Body { get; set; }

    /// <summary>Follow @odata.nextLink (with GET) and write the value items of every page.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    protected override void BeginProcessingCore()
    {
        if (!IsBound(nameof(Body)))
        {
            return;
        }

        if (Method == DefenderApiMethod.Get)
        {
            throw DefenderApiRequestErrors.BodyNotJson("a GET request takes no body; use -Method Post, Patch or Put.");
        }

        var body = Body is PSObject pso ? pso.BaseObject : Body;
        _body = body is string json ? DefenderApiRequest.JsonBody(json) : DefenderApiRequest.JsonBody(PowerShellJson.FromPowerShell(body));
    }

    private protected override string ItemNoun => "items";

    protected override void ProcessRecordCore()
    {
        var apiBase = DefenderApiEndpoint.Resolve(ApiUri, IsBound(nameof(Region)) ? Region : null, IsBound(nameof(Cloud)) ? Cloud : null);
        var (origin, target) = DefenderApiRequest.Resolve(apiBase, ApiUri is not null, ParameterSetName == PathSet ? Path : null, ParameterSetName == UriSet ? Uri : null);
        var client = new DefenderApiRequestClient(origin, SecretText.Unwrap(AccessToken), TenantId, DefenderModuleServices.Handler, CreateOptions());
        var tenant = client.TenantId;
        WarnIfTenantUnknown(tenant);

        // Confirmation is asked here, on the pipeline thread, before the tenant's request starts.
        var method = new HttpMethod(Method.ToString().ToUpperInvariant());
        if (method != HttpMethod.Get && !ShouldProcess($"{target.GetLeftPart(UriPartial.Path)} in tenant {tenant ?? "(unknown)"}", method.Method))
        {
            client.Dispose();
            return;
        }

        var body = _body;
        StartTenant(client.ApiBase, tenant, client, All ? token => ListAsync(client.ListAll(method, target, body), tenant, token) : token => SendAsync(client, method, target, body, token));
    }

    private async Task SendAsync(DefenderApiRequestClient client, HttpMethod method, Uri target, byte[]? body, CancellationToken cancellationToken)
    {
        var answer = await client.SendAsync(method, target, body, cancellationToken).ConfigureAwait(false);
        await WriteFromPipelineThreadAsync(() => Progress.Items(Write(answer, client.TenantId)), cancellationToken).ConfigureAwait(false);
    }

    // A page's items are written before the next page is asked for.
    private async Task ListAsync(DefenderApiRequestPager pager, string? tenant, CancellationToken cancellationToken)
    {
        while (await pager.NextPageAsync(cancellationToken).ConfigureAwait(false) is { } page)
        {
            await WriteFromPipelineThreadAsync(() =>
            {
                var written = 0;
                foreach (var item in page)
                {
                    written += Write(item, tenant);
                }

                Progress.Page(written);
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    // Objects are labelled with the tenant unless they carry a TenantId of their own; an array's items are written one by one.
    // Returns how many objects were written.
    private int Write(object? answer, string? tenant)
    {
        if (answer is object?[] items)
        {
            var written = 0;
            foreach (var item in items)
            {
                written += Write(item, tenant);
            }

            return written;
        }

        var value = PowerShellJson.ToPowerShell(answer);
        if (value is PSObject o && tenant is not null)
        {
            PowerShellJson.AddProperty(o, "TenantId", tenant);
        }

        if (value is null)
        {
            return 0;
        }

        WriteObject(value);
        return 1;
    }
}
