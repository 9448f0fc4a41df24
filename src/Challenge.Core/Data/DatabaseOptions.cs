using System.ComponentModel.DataAnnotations;

namespace Challenge.Core.Data;

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    [Required, AllowedValues(DatabaseProviders.Sqlite)]
    public string Provider { get; set; } = DatabaseProviders.Sqlite;

    // Empty means the SQLite file challenge.db inside the data directory.
    public string? ConnectionString { get; set; }
}

public static class DatabaseProviders
{
    public const string Sqlite = "Sqlite";
}
