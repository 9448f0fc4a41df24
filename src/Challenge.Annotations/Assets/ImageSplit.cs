using System.Text;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Assets;

/// <summary>
/// The public/private split of an asset set: exactly round(fraction x images) images are public, chosen by a seeded
/// hash of the file name (FNV-1a then a SplitMix64 finaliser, written out so the split never changes with the .NET
/// version or the order of the images), the same construction as the CSV tasks' seeded split.
/// </summary>
public static class ImageSplit
{
    public static HashSet<long> PublicImageIds(IEnumerable<ImageInfo> images, double publicFraction, int seed)
    {
        var list = images.ToList();
        var publicCount = (int)Math.Round(Math.Clamp(publicFraction, 0, 1) * list.Count, MidpointRounding.AwayFromZero);
        var seedKey = SplitMix((ulong)(uint)seed);
        return list
            .Select(image => (image.Id, Key: SplitMix(Fnv1a(image.FileName) ^ seedKey)))
            .OrderBy(x => x.Key).ThenBy(x => x.Id)
            .Take(publicCount)
            .Select(x => x.Id)
            .ToHashSet();
    }

    private static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }

    private static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
