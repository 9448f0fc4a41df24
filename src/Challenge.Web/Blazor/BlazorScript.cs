using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;

namespace Challenge.Web.Blazor;

// The .NET 10 SDK takes blazor.web.js from a package our registry does not serve. The same script
// ships as an embedded resource of the ASP.NET Core 9 Components.Endpoints assembly, which the build
// copies next to the app; it is read once here, without loading that assembly.
internal sealed class BlazorScript
{
    public const string RequestPath = "/_framework/blazor.web.js";
    private const string ResourceName = "_framework/blazor.web.js";
    private const string SourceAssembly = "blazor-script/Microsoft.AspNetCore.Components.Endpoints.dll";

    private BlazorScript(byte[] content)
    {
        Content = content;
        ETag = "\"" + Convert.ToHexString(SHA256.HashData(content))[..16] + "\"";
    }

    public byte[] Content { get; }
    public string ETag { get; }

    public static BlazorScript Load(string baseDirectory)
    {
        var path = Path.Combine(baseDirectory, SourceAssembly);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The Blazor client script source '{path}' is missing; rebuild the web project.");
        }

        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            if (!resource.Implementation.IsNil || metadata.GetString(resource.Name) != ResourceName)
            {
                continue;
            }

            var resources = pe.PEHeaders.CorHeader!.ResourcesDirectory;
            var reader = pe.GetSectionData(resources.RelativeVirtualAddress).GetReader();
            reader.Offset = checked((int)resource.Offset);
            var length = reader.ReadInt32();
            return new BlazorScript(reader.ReadBytes(length));
        }
        throw new InvalidOperationException($"'{path}' carries no resource named {ResourceName}.");
    }
}

internal static class BlazorScriptEndpoint
{
    public static IEndpointRouteBuilder MapBlazorScript(this IEndpointRouteBuilder endpoints)
    {
        var script = BlazorScript.Load(AppContext.BaseDirectory);
        endpoints.MapGet(BlazorScript.RequestPath, (HttpContext context) =>
            {
                context.Response.Headers.ETag = script.ETag;
                context.Response.Headers.CacheControl = "no-cache";
                if (context.Request.Headers.IfNoneMatch == script.ETag)
                {
                    return Results.StatusCode(StatusCodes.Status304NotModified);
                }
                return Results.Bytes(script.Content, "text/javascript");
            })
            .ExcludeFromDescription();
        return endpoints;
    }
}
