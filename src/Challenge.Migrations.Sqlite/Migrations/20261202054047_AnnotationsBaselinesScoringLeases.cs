using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Challenge.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AnnotationsBaselinesScoringLeases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Submissions_TaskId_Status_TeamId",
                table: "Submissions");

            migrationBuilder.AddColumn<string>(
                // Tasks made before task families existed are CSV prediction tasks.
                name: "Family",
                table: "Tasks",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "Predictions");

            migrationBuilder.AddColumn<int>(
                name: "ImageCount",
                table: "Tasks",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "ImagesFileId",
                table: "Tasks",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "PreAnnotationsFileId",
                table: "Tasks",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RankingFormula",
                table: "Tasks",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ScoringClaim",
                table: "Submissions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ScoringLeaseUntilUtc",
                table: "Submissions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AssetImages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TaskId = table.Column<int>(type: "INTEGER", nullable: false),
                    ImageId = table.Column<int>(type: "INTEGER", nullable: false),
                    EntryName = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    Length = table.Column<long>(type: "INTEGER", nullable: false),
                    Width = table.Column<int>(type: "INTEGER", nullable: false),
                    Height = table.Column<int>(type: "INTEGER", nullable: false),
                    ContentType = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AssetImages", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AssetImages_Tasks_TaskId",
                        column: x => x.TaskId,
                        principalTable: "Tasks",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "BaselineWorkers",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Prefix = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedById = table.Column<string>(type: "TEXT", nullable: false),
                    AllChallenges = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastSeenAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    RevokedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Machine = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Devices = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BaselineWorkers", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BaselineWorkers_AspNetUsers_CreatedById",
                        column: x => x.CreatedById,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "BaselineRuns",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    CompetitionId = table.Column<int>(type: "INTEGER", nullable: false),
                    TaskId = table.Column<int>(type: "INTEGER", nullable: false),
                    Model = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Epochs = table.Column<int>(type: "INTEGER", nullable: false),
                    Device = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Seed = table.Column<int>(type: "INTEGER", nullable: false),
                    TrainFileId = table.Column<int>(type: "INTEGER", nullable: true),
                    TestFileId = table.Column<int>(type: "INTEGER", nullable: true),
                    UnlabelledFileId = table.Column<int>(type: "INTEGER", nullable: true),
                    RequestedById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    StartedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    FinishedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    WorkerId = table.Column<int>(type: "INTEGER", nullable: true),
                    LeaseId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    LeaseExpiresAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LastHeartbeatAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    Stage = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Epoch = table.Column<int>(type: "INTEGER", nullable: false),
                    EpochCount = table.Column<int>(type: "INTEGER", nullable: false),
                    Fraction = table.Column<double>(type: "REAL", nullable: false),
                    Loss = table.Column<double>(type: "REAL", nullable: true),
                    ValidationAccuracy = table.Column<double>(type: "REAL", nullable: true),
                    ExamplesPerSecond = table.Column<double>(type: "REAL", nullable: true),
                    EtaSeconds = table.Column<int>(type: "INTEGER", nullable: true),
                    DeviceUsed = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    LossCurveJson = table.Column<string>(type: "TEXT", nullable: false),
                    Log = table.Column<string>(type: "TEXT", nullable: false),
                    Message = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    SubmissionId = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BaselineRuns", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BaselineRuns_BaselineWorkers_WorkerId",
                        column: x => x.WorkerId,
                        principalTable: "BaselineWorkers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_BaselineRuns_Challenges_CompetitionId",
                        column: x => x.CompetitionId,
                        principalTable: "Challenges",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_BaselineRuns_DataFiles_TestFileId",
                        column: x => x.TestFileId,
                        principalTable: "DataFiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_BaselineRuns_DataFiles_TrainFileId",
                        column: x => x.TrainFileId,
                        principalTable: "DataFiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_BaselineRuns_DataFiles_UnlabelledFileId",
                        column: x => x.UnlabelledFileId,
                        principalTable: "DataFiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_BaselineRuns_Tasks_TaskId",
                        column: x => x.TaskId,
                        principalTable: "Tasks",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_ImagesFileId",
                table: "Tasks",
                column: "ImagesFileId");

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_PreAnnotationsFileId",
                table: "Tasks",
                column: "PreAnnotationsFileId");

            migrationBuilder.CreateIndex(
                name: "IX_Submissions_Board",
                table: "Submissions",
                columns: new[] { "TaskId", "TeamId", "IsHidden", "Status", "PublicScore", "CreatedAtUtc", "PrivateScore", "PublicLower", "PublicUpper", "IsSelected" });

            migrationBuilder.CreateIndex(
                name: "IX_AssetImages_TaskId_FileName",
                table: "AssetImages",
                columns: new[] { "TaskId", "FileName" });

            migrationBuilder.CreateIndex(
                name: "IX_AssetImages_TaskId_ImageId",
                table: "AssetImages",
                columns: new[] { "TaskId", "ImageId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_BaselineRuns_CompetitionId_Id",
                table: "BaselineRuns",
                columns: new[] { "CompetitionId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_BaselineRuns_Status_Id",
                table: "BaselineRuns",
                columns: new[] { "Status", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_BaselineRuns_TaskId",
                table: "BaselineRuns",
                column: "TaskId");

            migrationBuilder.CreateIndex(
                name: "IX_BaselineRuns_TestFileId",
                table: "BaselineRuns",
                column: "TestFileId");

            migrationBuilder.CreateIndex(
                name: "IX_BaselineRuns_TrainFileId",
                table: "BaselineRuns",
                column: "TrainFileId");

            migrationBuilder.CreateIndex(
                name: "IX_BaselineRuns_UnlabelledFileId",
                table: "BaselineRuns",
                column: "UnlabelledFileId");

            migrationBuilder.CreateIndex(
                name: "IX_BaselineRuns_WorkerId",
                table: "BaselineRuns",
                column: "WorkerId");

            migrationBuilder.CreateIndex(
                name: "IX_BaselineWorkers_CreatedById",
                table: "BaselineWorkers",
                column: "CreatedById");

            migrationBuilder.CreateIndex(
                name: "IX_BaselineWorkers_Hash",
                table: "BaselineWorkers",
                column: "Hash",
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "FK_Tasks_StoredFiles_ImagesFileId",
                table: "Tasks",
                column: "ImagesFileId",
                principalTable: "StoredFiles",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_Tasks_StoredFiles_PreAnnotationsFileId",
                table: "Tasks",
                column: "PreAnnotationsFileId",
                principalTable: "StoredFiles",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Tasks_StoredFiles_ImagesFileId",
                table: "Tasks");

            migrationBuilder.DropForeignKey(
                name: "FK_Tasks_StoredFiles_PreAnnotationsFileId",
                table: "Tasks");

            migrationBuilder.DropTable(
                name: "AssetImages");

            migrationBuilder.DropTable(
                name: "BaselineRuns");

            migrationBuilder.DropTable(
                name: "BaselineWorkers");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_ImagesFileId",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_PreAnnotationsFileId",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Submissions_Board",
                table: "Submissions");

            migrationBuilder.DropColumn(
                name: "Family",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "ImageCount",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "ImagesFileId",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "PreAnnotationsFileId",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "RankingFormula",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "ScoringClaim",
                table: "Submissions");

            migrationBuilder.DropColumn(
                name: "ScoringLeaseUntilUtc",
                table: "Submissions");

            migrationBuilder.CreateIndex(
                name: "IX_Submissions_TaskId_Status_TeamId",
                table: "Submissions",
                columns: new[] { "TaskId", "Status", "TeamId" });
        }
    }
}
