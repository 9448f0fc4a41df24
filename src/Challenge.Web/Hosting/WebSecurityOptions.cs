using System.ComponentModel.DataAnnotations;

namespace Challenge.Web.Hosting;

public sealed class WebSecurityOptions : IValidatableObject
{
    public const string Section = "Security";

    // Log-in and registration form posts one client address may make in a minute. A failed guess
    // also counts against the account itself (Identity's lockout, which pauses password sign-in
    // only), so this bounds one client spraying guesses over many accounts.
    [Range(1, 1_000_000)]
    public int SignInAttemptsPerMinute { get; set; } = 10;

    // Origins other than the site's own address that may open the live-page connection (/_blazor),
    // e.g. "https://challenge.example.org" when the proxy in front does not forward the host.
    public string[] AllowedOrigins { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var origin in AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.PathAndQuery != "/")
            {
                yield return new ValidationResult($"'{origin}' is not an origin such as https://challenge.example.org.", [nameof(AllowedOrigins)]);
            }
        }
    }
}
