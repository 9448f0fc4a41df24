using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Challenge.Web.Api;

// Reads an upload as a stream, never buffered whole: either a multipart form whose first file part
// is the file, or the raw request body with the name in ?fileName=.
internal static class UploadBody
{
    public static async Task<(Stream? Content, string FileName, string? Error)> OpenAsync(HttpRequest request, string defaultName)
    {
        var queryName = request.Query["fileName"].ToString();
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return (request.Body, queryName.Length > 0 ? queryName : defaultName, null);
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary))
        {
            return (null, "", "The multipart body has no boundary.");
        }
        var reader = new MultipartReader(boundary, request.Body);
        for (var section = await reader.ReadNextSectionAsync(request.HttpContext.RequestAborted); section is not null; section = await reader.ReadNextSectionAsync(request.HttpContext.RequestAborted))
        {
            if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) && disposition.IsFileDisposition())
            {
                var name = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                return (section.Body, string.IsNullOrWhiteSpace(name) ? defaultName : name!, null);
            }
        }
        return (null, "", "The multipart body holds no file part.");
    }
}

internal static class UploadEndpointExtensions
{
    // The file store enforces each upload's own limit while streaming; Kestrel's default 30 MB cap
    // would stop data files long before that.
    public static RouteHandlerBuilder AllowLargeUploads(this RouteHandlerBuilder endpoint) =>
        endpoint.WithMetadata(new Microsoft.AspNetCore.Mvc.DisableRequestSizeLimitAttribute());
}
