using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Challenge.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ScoringLeaseAndBoardIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Submissions_TaskId_Status_TeamId",
                table: "Submissions");

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

            migrationBuilder.CreateIndex(
                name: "IX_Submissions_Board",
                table: "Submissions",
                columns: new[] { "TaskId", "TeamId", "IsHidden", "Status", "PublicScore", "CreatedAtUtc", "PrivateScore", "PublicLower", "PublicUpper", "IsSelected" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Submissions_Board",
                table: "Submissions");

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
