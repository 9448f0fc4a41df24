using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Challenge.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class RankingsThatHoldUp : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "RankResamples",
                table: "Tasks",
                type: "integer",
                nullable: false,
                defaultValue: 1000);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RankResamples",
                table: "Tasks");
        }
    }
}
