using System.ComponentModel.DataAnnotations;

namespace Challenge.Core.Storage;

public sealed class StorageOptions
{
    public const string Section = "Storage";

    // Relative paths are resolved against the folder that holds appsettings.json.
    [Required]
    public string DataDirectory { get; set; } = "data";
}
