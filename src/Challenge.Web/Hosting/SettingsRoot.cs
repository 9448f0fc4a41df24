using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace Challenge.Web.Hosting;

// appsettings.json lives at the repository root (and beside the published app), not in the web
// project, so `dotnet run --project src/Challenge.Web` from a fresh clone reads the same file the
// README documents. Relative paths in it (the data directory) are resolved against its folder.
internal static class SettingsRoot
{
    public const string FileName = "appsettings.json";

    public static string Find(string contentRoot)
    {
        for (var directory = new DirectoryInfo(contentRoot); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, FileName)))
            {
                return directory.FullName;
            }
        }
        return File.Exists(Path.Combine(AppContext.BaseDirectory, FileName)) ? AppContext.BaseDirectory : contentRoot;
    }

    // Inserted right after the host's own appsettings sources, so environment variables and the
    // command line still override it.
    public static string AddSettingsRoot(this WebApplicationBuilder builder)
    {
        var root = Find(builder.Environment.ContentRootPath);
        if (Path.GetFullPath(root) == Path.GetFullPath(builder.Environment.ContentRootPath))
        {
            return root;
        }

        var sources = builder.Configuration.Sources;
        var position = sources.Select((source, index) => (source, index))
            .Where(pair => pair.source is JsonConfigurationSource { Path: not null } json && json.Path.StartsWith("appsettings", StringComparison.OrdinalIgnoreCase))
            .Select(pair => pair.index + 1)
            .DefaultIfEmpty(0)
            .Max();
        var files = new PhysicalFileProvider(root);
        sources.Insert(position, new JsonConfigurationSource { FileProvider = files, Path = FileName, Optional = false });
        sources.Insert(position + 1, new JsonConfigurationSource
        {
            FileProvider = files,
            Path = $"appsettings.{builder.Environment.EnvironmentName}.json",
            Optional = true,
        });
        return root;
    }
}
