using Challenge.Core.Challenges;
using Challenge.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Challenge.Core.Demo;

// A newcomer's first page should show a live challenge, so an empty database gets one.
public sealed class DemoSeeder(TimeProvider clock, ILogger<DemoSeeder> logger)
{
    public const string DemoSlug = "eurosat-land-cover";

    public async Task SeedAsync(ChallengeDbContext db, CancellationToken cancellationToken)
    {
        if (await db.Competitions.AnyAsync(cancellationToken))
        {
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var today = now.Date;
        db.Competitions.Add(new Competition
        {
            Slug = DemoSlug,
            Title = "EuroSAT land cover from few labels",
            Subtitle = "Classify 64×64 Sentinel-2 tiles into 10 land-cover classes with only 500 labelled images.",
            OverviewMarkdown = OverviewMarkdown,
            StartsAtUtc = today.AddDays(-14),
            EndsAtUtc = today.AddDays(45),
            Status = CompetitionStatus.Published,
            CreatedAtUtc = now,
            UpdatedAtUtc = now,
        });
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Seeded the demo challenge '{Slug}' into the empty database", DemoSlug);
    }

    private const string OverviewMarkdown = """
        ## The task

        Each image is a 64×64 RGB tile from the Sentinel-2 satellites. Predict its land-cover class:

        | Id | Class | Id | Class |
        |---:|---|---:|---|
        | 0 | AnnualCrop | 5 | Pasture |
        | 1 | Forest | 6 | PermanentCrop |
        | 2 | HerbaceousVegetation | 7 | Residential |
        | 3 | Highway | 8 | River |
        | 4 | Industrial | 9 | SeaLake |

        ## The catch: very few labels

        * `eurosat_train.npz`: 500 labelled images
        * `eurosat_valid.npz`: 1,500 labelled images, **for validation only** (training on them is forbidden)
        * `eurosat_unsup.npz`: 5,000 unlabelled images
        * `bigearthnet_rgb.npz`: 95,000 unlabelled images with a slightly different colour correction
        * `test.npz`: 20,000 images to classify

        Pseudo-labelling, self-supervision, clustering and transfer learning are all welcome.

        ## Submitting

        Upload a CSV with a header `Id,Category`: `Id` is the index in the test array and `Category`
        the class name. One row per test image, no duplicate Ids. The metric is **accuracy**.
        """;
}
