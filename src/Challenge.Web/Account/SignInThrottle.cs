using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Challenge.Web.Hosting;

namespace Challenge.Web.Account;

// Log-in and registration posts, counted per client address: one client cannot try a password on
// many accounts (which the per-account lockout never sees) or probe many addresses. Behind a proxy
// the address is the client's only when forwarded headers are enabled (README, production).
internal static class SignInThrottle
{
    public static readonly string[] Paths = ["/account/login", "/account/register"];

    public static bool Applies(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) && Paths.Any(path => request.Path.Equals(path, StringComparison.OrdinalIgnoreCase));

    public static PartitionedRateLimiter<HttpContext> Create(WebSecurityOptions options) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context => Applies(context.Request)
            ? RateLimitPartition.GetFixedWindowLimiter(ClientKey(context.Connection.RemoteIpAddress), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = options.SignInAttemptsPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            })
            : RateLimitPartition.GetNoLimiter(""));

    // An IPv6 client usually holds a whole /64, so it counts as one client.
    public static string ClientKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
