using System.Text.Json;
using System.Text.Json.Serialization;

namespace Challenge.Worker.Server;

// The server's worker protocol (/api/workers/...). Serialised through the source-generated
// context below, so a trimmed self-contained build needs no reflection.
public sealed record RegistrationRequest(string? Machine, string? Devices);

public sealed record WorkerInfo(int Id, string Name, bool AllChallenges, int LeaseSeconds, int HeartbeatSeconds);

public sealed record LeaseRequest(bool Cuda);

public sealed record LeaseFile(int Id, string Role, string FileName, long Length, string Sha256, string Url);

public sealed record Lease(
    long RunId,
    string LeaseId,
    int LeaseSeconds,
    int HeartbeatSeconds,
    string Challenge,
    string Task,
    string IdColumn,
    string TargetColumn,
    string Model,
    int Epochs,
    string Device,
    int Seed,
    int Attempt,
    IReadOnlyList<LeaseFile> Files,
    string? Kind = null,
    IReadOnlyList<string>? Classes = null)
{
    /// <summary>
    /// The task wants one probability per class (<c>Id,class1,…</c>) rather than one label; the
    /// columns are <see cref="Classes"/>, in that order. A server older than this field sends no
    /// kind, which means labels.
    /// </summary>
    public bool WantsProbabilities => string.Equals(Kind, "probability", StringComparison.OrdinalIgnoreCase);
}

public sealed record ProgressEntry(
    string Stage,
    int Epoch,
    int Epochs,
    int Batch,
    int Batches,
    double Loss,
    double? ValidationAccuracy,
    double ExamplesPerSecond,
    double EtaSeconds,
    string Device);

public sealed record ReportRequest(IReadOnlyList<ProgressEntry> Progress, IReadOnlyList<string> Log);

public sealed record ReportResponse(bool Cancelled, DateTime? LeaseExpiresAt);

public sealed record FailRequest(string Message, IReadOnlyList<string> Log);

public sealed record PredictionsAccepted(long SubmissionId, string StatusUrl);

public sealed record Problem(string? Title, string? Detail, int? Status);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(RegistrationRequest))]
[JsonSerializable(typeof(WorkerInfo))]
[JsonSerializable(typeof(LeaseRequest))]
[JsonSerializable(typeof(Lease))]
[JsonSerializable(typeof(ReportRequest))]
[JsonSerializable(typeof(ReportResponse))]
[JsonSerializable(typeof(FailRequest))]
[JsonSerializable(typeof(PredictionsAccepted))]
[JsonSerializable(typeof(Problem))]
internal sealed partial class WorkerJson : JsonSerializerContext;
