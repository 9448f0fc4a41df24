using System.Net;
using Challenge.Web.Account;
using Challenge.Web.Hosting;
using Microsoft.AspNetCore.Http;

namespace Challenge.Web.Tests.Hardening;

// The two rules behind the sign-in throttle and the live-connection origin check, on the inputs a
// real pipeline cannot easily produce (IPv6 clients, a proxy's port-less Host).
public sealed class ClientAndOriginRulesTests
{
    [Theory]
    [InlineData("203.0.113.9", "203.0.113.9")]
    [InlineData("::ffff:203.0.113.9", "203.0.113.9")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2:1:1:1:1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    public void A_client_is_its_IPv4_address_or_its_IPv6_slash_64(string address, string key) =>
        Assert.Equal(key, SignInThrottle.ClientKey(IPAddress.Parse(address)));

    [Theory]
    [InlineData("https://challenge.example.org", "challenge.example.org", true)]
    [InlineData("http://challenge.example.org", "challenge.example.org", true)]
    [InlineData("https://challenge.example.org:8443", "challenge.example.org", false)]
    [InlineData("http://localhost:5080", "localhost:5080", true)]
    [InlineData("http://localhost:5081", "localhost:5080", false)]
    [InlineData("http://LOCALHOST:5080", "localhost:5080", true)]
    [InlineData("http://evil.example", "challenge.example.org", false)]
    [InlineData("https://challenge.example.org.evil.example", "challenge.example.org", false)]
    [InlineData("null", "challenge.example.org", false)]
    [InlineData("file://", "challenge.example.org", false)]
    [InlineData("https://partner.example", "challenge.example.org", true)]
    [InlineData("http://partner.example", "challenge.example.org", false)]
    public void An_origin_is_allowed_when_it_is_the_request_s_host_or_configured(string origin, string host, bool allowed)
    {
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString(host);

        Assert.Equal(allowed, HubOriginCheck.IsAllowed(origin, context.Request, ["https://partner.example"]));
    }
}
