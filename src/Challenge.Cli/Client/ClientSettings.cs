using System.Text.Json;
using System.Text.Json.Serialization;

namespace Challenge.Cli.Client;

/// <summary>
/// The server and token a client command uses. Each comes from the first place that has it: the
/// --server/--token option, then CHALLENGE_SERVER/CHALLENGE_TOKEN, then the configuration file.
/// </summary>
internal sealed record ClientSettings(Uri Server, string? Token, string TokenSource)
{
    public const string ServerVariable = "CHALLENGE_SERVER";
    public const string TokenVariable = "CHALLENGE_TOKEN";

    public Uri TokensPage => new(Server, "account/tokens");

    public static ClientSettings Resolve(string? serverOption, string? tokenOption, CliContext context)
    {
        // The file is read only when an option or variable is missing, so a broken file does not stop a command that does not need it.
        var file = new Lazy<ConfigFile?>(() => ConfigFile.Read(context));
        var (serverText, serverSource) = First(
            (serverOption, "--server"), (context.GetEnvironmentVariable(ServerVariable), ServerVariable), (() => file.Value?.Server, context.ConfigPath));
        var (token, tokenSource) = First(
            (tokenOption, "--token"), (context.GetEnvironmentVariable(TokenVariable), TokenVariable), (() => file.Value?.Token, context.ConfigPath));
        if (serverText is null)
        {
            throw new CliException(
                $"no server address. Pass --server URL, set {ServerVariable}, or save it once with `challenge configure --server URL`.");
        }
        if (ParseServer(serverText) is not { } server)
        {
            throw new CliException($"the server address '{serverText}' (from {serverSource}) is not an http:// or https:// URL.");
        }
        return new ClientSettings(server, token, tokenSource);
    }

    /// <summary>The token, or a message saying where to get one and the three ways to pass it.</summary>
    public string RequireToken() => Token ?? throw new CliException(
        $"this command needs an API token. Create one on {TokensPage}, then save it with `challenge configure --token TOKEN`, " +
        $"set {TokenVariable}, or pass --token TOKEN.");

    // A base address that ends with a slash keeps a path prefix (a server behind /challenge/) when
    // relative API paths are resolved against it.
    public static Uri? ParseServer(string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Query.Length > 0)
        {
            return null;
        }
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.GetLeftPart(UriPartial.Path) + "/");
    }

    private static (string? Value, string Source) First((string? Value, string Source) option, (string? Value, string Source) variable, (Func<string?> Value, string Source) file)
    {
        foreach (var (value, source) in new[] { option, variable })
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                return (value.Trim(), source);
            }
        }
        var fromFile = file.Value();
        return string.IsNullOrWhiteSpace(fromFile) ? (null, "") : (fromFile.Trim(), file.Source);
    }
}

/// <summary>The configuration file: <c>{"server": "...", "token": "..."}</c>, readable by its owner only.</summary>
internal sealed record ConfigFile(
    [property: JsonPropertyName("server")] string? Server,
    [property: JsonPropertyName("token")] string? Token)
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static ConfigFile? Read(CliContext context)
    {
        if (!File.Exists(context.ConfigPath))
        {
            return null;
        }
        try
        {
            WarnIfOthersCanRead(context);
            return JsonSerializer.Deserialize<ConfigFile>(File.ReadAllText(context.ConfigPath), s_json);
        }
        catch (JsonException exception)
        {
            throw new CliException($"the configuration file {context.ConfigPath} is not valid JSON ({exception.Message}); fix it or write it again with `challenge configure`.");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read the configuration file {context.ConfigPath}: {exception.Message}");
        }
    }

    // The new file is written beside the old one with owner-only permissions from its creation and
    // then renamed over it, so the token is never readable by others, not even for a moment.
    public void Write(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, this, s_json);
        }
        File.Move(temporary, path, overwrite: true);
    }

    private static void WarnIfOthersCanRead(CliContext context)
    {
        if (!OperatingSystem.IsWindows()
            && (File.GetUnixFileMode(context.ConfigPath) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
        {
            context.Error.WriteLine($"warning: {context.ConfigPath} is readable by other users; run `chmod 600 {context.ConfigPath}` to keep the token private.");
        }
    }
}
