using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Challenge.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class DeclaredClassesAndHiddenReason : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ClassesJson",
                table: "Tasks",
                type: "character varying(200000)",
                maxLength: 200000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "HiddenReason",
                table: "Submissions",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ClassesJson",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "HiddenReason",
                table: "Submissions");
        }
    }
}
