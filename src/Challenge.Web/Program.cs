using Challenge.Web.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddChallengeWeb();

var app = builder.Build();
app.UseChallengeWeb();
app.Run();

// Visible to WebApplicationFactory in the tests.
public partial class Program;
