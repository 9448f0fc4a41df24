using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Challenge.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AnnotationTasks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
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

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_ImagesFileId",
                table: "Tasks",
                column: "ImagesFileId");

            migrationBuilder.CreateIndex(
                name: "IX_Tasks_PreAnnotationsFileId",
                table: "Tasks",
                column: "PreAnnotationsFileId");

            migrationBuilder.CreateIndex(
                name: "IX_AssetImages_TaskId_FileName",
                table: "AssetImages",
                columns: new[] { "TaskId", "FileName" });

            migrationBuilder.CreateIndex(
                name: "IX_AssetImages_TaskId_ImageId",
                table: "AssetImages",
                columns: new[] { "TaskId", "ImageId" },
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

            migrationBuilder.DropIndex(
                name: "IX_Tasks_ImagesFileId",
                table: "Tasks");

            migrationBuilder.DropIndex(
                name: "IX_Tasks_PreAnnotationsFileId",
                table: "Tasks");

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
        }
    }
}
