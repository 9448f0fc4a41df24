using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Challenge.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class RankingsThatHoldUp : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "LadderMargin",
                table: "Tasks",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RankResamples",
                table: "Tasks",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1000);

            migrationBuilder.AddColumn<string>(
                name: "FailureKind",
                table: "Submissions",
                type: "TEXT",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Granted",
                table: "DailyQuotas",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "ScoreChanges",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RescoreId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CompetitionId = table.Column<int>(type: "INTEGER", nullable: false),
                    TaskId = table.Column<int>(type: "INTEGER", nullable: false),
                    SubmissionId = table.Column<long>(type: "INTEGER", nullable: false),
                    TeamId = table.Column<int>(type: "INTEGER", nullable: false),
                    RequestedById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    RequestedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    OldStatus = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    OldPublicScore = table.Column<double>(type: "REAL", nullable: true),
                    OldPrivateScore = table.Column<double>(type: "REAL", nullable: true),
                    OldScorerVersion = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    OldSolutionVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    PublicRankBefore = table.Column<int>(type: "INTEGER", nullable: true),
                    PrivateRankBefore = table.Column<int>(type: "INTEGER", nullable: true),
                    NewStatus = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    NewPublicScore = table.Column<double>(type: "REAL", nullable: true),
                    NewPrivateScore = table.Column<double>(type: "REAL", nullable: true),
                    NewScorerVersion = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    NewSolutionVersion = table.Column<int>(type: "INTEGER", nullable: true),
                    RescoredAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    PublicRankAfter = table.Column<int>(type: "INTEGER", nullable: true),
                    PrivateRankAfter = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ScoreChanges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ScoreChanges_Submissions_SubmissionId",
                        column: x => x.SubmissionId,
                        principalTable: "Submissions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ScoreChanges_Tasks_TaskId",
                        column: x => x.TaskId,
                        principalTable: "Tasks",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ScoreChanges_CompetitionId_RequestedAtUtc",
                table: "ScoreChanges",
                columns: new[] { "CompetitionId", "RequestedAtUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_ScoreChanges_RescoreId",
                table: "ScoreChanges",
                column: "RescoreId");

            migrationBuilder.CreateIndex(
                name: "IX_ScoreChanges_SubmissionId_RescoredAtUtc",
                table: "ScoreChanges",
                columns: new[] { "SubmissionId", "RescoredAtUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_ScoreChanges_TaskId",
                table: "ScoreChanges",
                column: "TaskId");

            migrationBuilder.CreateIndex(
                name: "IX_ScoreChanges_TeamId_RescoredAtUtc",
                table: "ScoreChanges",
                columns: new[] { "TeamId", "RescoredAtUtc" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ScoreChanges");

            migrationBuilder.DropColumn(
                name: "LadderMargin",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "RankResamples",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "FailureKind",
                table: "Submissions");

            migrationBuilder.DropColumn(
                name: "Granted",
                table: "DailyQuotas");
        }
    }
}
