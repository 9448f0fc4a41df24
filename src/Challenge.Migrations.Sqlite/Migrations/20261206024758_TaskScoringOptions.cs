using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Challenge.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class TaskScoringOptions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ScoringOptionsJson",
                table: "Tasks",
                type: "TEXT",
                maxLength: 200000,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ScoringOptionsJson",
                table: "Tasks");
        }
    }
}
