namespace Challenge.Core.Accounts;

public static class AccountRules
{
    public const int DisplayNameMaxLength = 64;
    public const int PasswordMinLength = 8;
}
