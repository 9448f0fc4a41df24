using System.ComponentModel.DataAnnotations;

namespace Challenge.Core.Data;

public sealed class DatabaseOptions : IValidatableObject
{
    public const string Section = "Database";

    [Required, AllowedValues(DatabaseProviders.Sqlite, DatabaseProviders.Postgres)]
    public string Provider { get; set; } = DatabaseProviders.Sqlite;

    // Empty means the SQLite file challenge.db inside the data directory; PostgreSQL needs one.
    public string? ConnectionString { get; set; }

    // How often a clustered scheduler node (PostgreSQL only) says it is alive; another node takes
    // over a silent node's recoverable jobs after about twice this.
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(15);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == DatabaseProviders.Postgres && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult(
                "Database:ConnectionString is required when Database:Provider is Postgres (e.g. 'Host=db;Database=challenge;Username=challenge;Password=...').",
                [nameof(ConnectionString)]);
        }
    }
}

public static class DatabaseProviders
{
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";
}
