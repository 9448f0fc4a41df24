using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Challenge.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ParameterFreeLadder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "LadderParameterFree",
                table: "Tasks",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "LadderMoved",
                table: "Submissions",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<double>(
                name: "LadderScore",
                table: "Submissions",
                type: "double precision",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "LadderParameterFree",
                table: "Tasks");

            migrationBuilder.DropColumn(
                name: "LadderMoved",
                table: "Submissions");

            migrationBuilder.DropColumn(
                name: "LadderScore",
                table: "Submissions");
        }
    }
}
