using Microsoft.AspNetCore.Identity;

namespace Challenge.Core.Accounts;

public sealed class AppUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
    public DateTime CreatedAtUtc { get; set; }
}
