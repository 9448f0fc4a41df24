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
            migrationBuilder.AddColumn<int>(
                name: "RankResamples",
                table: "Tasks",
                type: "INTEGER",
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
