using System.Globalization;
using System.Xml.Linq;
using Challenge.Annotations.Model;
using Challenge.Annotations.Safety;

namespace Challenge.Annotations.Formats;

/// <summary>CVAT for images 1.1: <c>&lt;image name width height&gt;</c> holding <c>&lt;box&gt;</c> and <c>&lt;tag&gt;</c> elements.</summary>
internal static class CvatFormat
{
    public static bool IsCvatDocument(XDocument xml) => xml.Root?.Name.LocalName == "annotations";

    public static ParsedDocument Read(IReadOnlyList<InputEntry> entries)
    {
        var document = new ParsedDocument(AnnotationFormat.Cvat);
        foreach (var entry in entries)
        {
            var xml = SafeXml.Load(entry.Content, entry.Name, entry.Cancellation);
            if (!IsCvatDocument(xml))
            {
                throw new AnnotationFormatException(entry.Name, SafeXml.LineOf(xml.Root!), "a CVAT for images file has an <annotations> root");
            }

            foreach (var label in xml.Root!.Descendants("labels").Elements("label"))
            {
                // Tag labels name image classes, not box classes.
                if (label.Element("type")?.Value.Trim() != "tag" && label.Element("name")?.Value.Trim() is { Length: > 0 } labelName
                    && document.DeclaredCategories.All(c => c.Name != labelName))
                {
                    document.DeclaredCategories.Add((null, labelName));
                }
            }

            var imageElements = xml.Root.Elements("image").ToList();
            var subsetKeyed = SubsetKeyedNames(imageElements, entry.Name);
            foreach (var element in imageElements)
            {
                entry.Cancellation.ThrowIfCancellationRequested();
                var line = SafeXml.LineOf(element);
                var name = element.Attribute("name")?.Value ?? throw new AnnotationFormatException(entry.Name, line, "<image> has no name attribute");
                var subset = element.Attribute("subset")?.Value.Trim();
                var image = new ParsedImage(entry.Name)
                {
                    FileName = subsetKeyed && !string.IsNullOrEmpty(subset) ? $"{subset}/{name}" : name,
                    Line = line,
                    Width = element.Attribute("width") is null ? null : (int)XmlFields.AttributeNumber(element, "width", entry.Name),
                    Height = element.Attribute("height") is null ? null : (int)XmlFields.AttributeNumber(element, "height", entry.Name),
                };
                foreach (var box in element.Elements("box"))
                {
                    image.Boxes.Add(ReadBox(box, entry.Name));
                }

                foreach (var tag in element.Elements("tag"))
                {
                    image.Labels.Add(tag.Attribute("label")?.Value
                        ?? throw new AnnotationFormatException(entry.Name, SafeXml.LineOf(tag), "<tag> has no label attribute"));
                }

                document.Images.Add(image);
            }

            ReadTracks(xml, entry.Name, document, entry.Cancellation);
        }

        return document;
    }

    private static ParsedBox ReadBox(XElement box, string entry)
    {
        var boxLine = SafeXml.LineOf(box);
        var label = box.Attribute("label")?.Value
            ?? box.Parent?.Attribute("label")?.Value
            ?? throw new AnnotationFormatException(entry, boxLine, "<box> has no label attribute");
        // CVAT writes rotation="..." only for rotated boxes; the common model has no angle, so reading it as
        // an upright box would score a different region.
        if (box.Attribute("rotation") is { } rotationAttribute
            && XmlFields.Parse(rotationAttribute.Value, entry, boxLine, "rotation") is var rotation && Math.Abs(rotation % 360) > 1e-9)
        {
            throw new AnnotationFormatException(entry, boxLine,
                $"<box label=\"{label}\"> is rotated (rotation=\"{rotationAttribute.Value}\"); rotated boxes are not supported, export upright boxes");
        }

        var xtl = XmlFields.AttributeNumber(box, "xtl", entry);
        var ytl = XmlFields.AttributeNumber(box, "ytl", entry);
        var xbr = XmlFields.AttributeNumber(box, "xbr", entry);
        var ybr = XmlFields.AttributeNumber(box, "ybr", entry);
        if (xbr < xtl || ybr < ytl)
        {
            throw new AnnotationFormatException(entry, boxLine, "<box> has xbr < xtl or ybr < ytl");
        }

        var score = box.Attribute("score") is null ? (double?)null : XmlFields.AttributeNumber(box, "score", entry);
        return new ParsedBox(label, null, xtl, ytl, xbr - xtl, ybr - ytl, BoxUnits.Pixels, Score: score, Line: boxLine);
    }

    /// <summary>
    /// A CVAT project export lists the images of every task, each with its subset, and the same file name often
    /// recurs across subsets (train/cam0001.jpg and test/cam0001.jpg are different pictures). When names recur,
    /// each image is keyed as subset/name, which the gold set must then use too; a name that recurs within one
    /// subset cannot be told apart and is refused.
    /// </summary>
    private static bool SubsetKeyedNames(List<XElement> images, string entry)
    {
        var bySubsetAndName = new Dictionary<(string Subset, string Name), XElement>();
        var repeated = false;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            if (image.Attribute("name")?.Value is not { } name)
            {
                continue;
            }

            var subset = image.Attribute("subset")?.Value.Trim() ?? "";
            if (!bySubsetAndName.TryAdd((subset, name), image))
            {
                var where = subset.Length > 0 ? $" in subset '{subset}'" : "";
                throw new AnnotationFormatException(entry, SafeXml.LineOf(image),
                    $"the image name '{name}' appears twice{where} (lines {SafeXml.LineOf(bySubsetAndName[(subset, name)])} and {SafeXml.LineOf(image)}); their boxes would be merged onto one image");
            }

            repeated |= !names.Add(name);
        }

        if (repeated && bySubsetAndName.Keys.Any(k => k.Subset.Length == 0))
        {
            var duplicated = bySubsetAndName.Keys.GroupBy(k => k.Name).Where(g => g.Count() > 1).Select(g => g.Key).Take(5);
            throw new AnnotationFormatException(entry, null,
                $"image names recur across subsets but some images have no subset to tell them apart: {string.Join(", ", duplicated)}");
        }

        return repeated;
    }

    /// <summary>
    /// CVAT for video 1.1: each <c>&lt;track&gt;</c> holds one shape per frame (CVAT writes the interpolated frames
    /// too); a box not <c>outside</c> the frame becomes a box on that frame's image, which CVAT names
    /// <c>frame_000000</c> (matched to the gold images by name without extension).
    /// </summary>
    private static void ReadTracks(XDocument xml, string entry, ParsedDocument document, CancellationToken cancellation)
    {
        var tracks = xml.Root!.Elements("track").ToList();
        if (tracks.Count == 0)
        {
            return;
        }

        var size = xml.Root.Element("meta")?.Descendants("original_size").FirstOrDefault();
        int? width = size?.Element("width") is null ? null : (int)XmlFields.Number(size, "width", entry);
        int? height = size?.Element("height") is null ? null : (int)XmlFields.Number(size, "height", entry);
        var frames = new SortedDictionary<long, ParsedImage>();
        var boxes = 0;
        foreach (var track in tracks)
        {
            cancellation.ThrowIfCancellationRequested();
            foreach (var box in track.Elements("box"))
            {
                if (box.Attribute("outside")?.Value.Trim() == "1")
                {
                    continue;
                }

                var frameText = box.Attribute("frame")?.Value
                    ?? throw new AnnotationFormatException(entry, SafeXml.LineOf(box), "<box> in a <track> has no frame attribute");
                if (!long.TryParse(frameText, System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out var frame))
                {
                    throw new AnnotationFormatException(entry, SafeXml.LineOf(box), $"frame: '{frameText}' is not a frame number");
                }

                if (!frames.TryGetValue(frame, out var image))
                {
                    image = new ParsedImage(entry) { FileName = FrameName(frame), Line = SafeXml.LineOf(box), Width = width, Height = height };
                    frames.Add(frame, image);
                }

                image.Boxes.Add(ReadBox(box, entry));
                boxes++;
            }
        }

        if (boxes == 0 && tracks.Any(t => t.Elements().Any(e => e.Name.LocalName != "box")))
        {
            throw new AnnotationFormatException(entry, SafeXml.LineOf(tracks[0]),
                "the <track> elements hold no boxes (only polygons, points or other shapes), which this task cannot score");
        }

        document.Images.AddRange(frames.Values);
    }

    /// <summary>The name CVAT gives a video frame when it exports the frames as images.</summary>
    public static string FrameName(long frame) => $"frame_{frame.ToString("000000", CultureInfo.InvariantCulture)}";

    public static byte[] Write(AnnotationDataset dataset)
    {
        var names = dataset.Categories.ToDictionary(c => c.Id, c => c.Name);
        var boxesByImage = dataset.Boxes.ToLookup(b => b.ImageId);
        var labelsByImage = dataset.ImageLabels.ToLookup(l => l.ImageId);
        var labelNames = dataset.Categories.Select(c => c.Name).Concat(dataset.ImageLabels.Select(l => l.ClassName)).Distinct();
        var root = new XElement("annotations",
            new XElement("version", "1.1"),
            new XElement("meta", new XElement("task",
                new XElement("name", "export"),
                new XElement("size", dataset.Images.Count),
                new XElement("mode", "annotation"),
                new XElement("labels", labelNames.Select(n => new XElement("label", new XElement("name", n), new XElement("attributes")))))));
        var index = 0;
        foreach (var image in dataset.Images)
        {
            var element = new XElement("image",
                new XAttribute("id", index++), new XAttribute("name", image.FileName),
                new XAttribute("width", image.Width), new XAttribute("height", image.Height));
            foreach (var box in boxesByImage[image.Id])
            {
                var boxElement = new XElement("box",
                    new XAttribute("label", names[box.CategoryId]), new XAttribute("source", "manual"), new XAttribute("occluded", 0),
                    new XAttribute("xtl", XmlFields.Format(box.X)), new XAttribute("ytl", XmlFields.Format(box.Y)),
                    new XAttribute("xbr", XmlFields.Format(box.X + box.Width)), new XAttribute("ybr", XmlFields.Format(box.Y + box.Height)),
                    new XAttribute("z_order", 0));
                if (box.Score is { } score)
                {
                    boxElement.Add(new XAttribute("score", score.ToString("R", CultureInfo.InvariantCulture)));
                }

                element.Add(boxElement);
            }

            foreach (var label in labelsByImage[image.Id])
            {
                element.Add(new XElement("tag", new XAttribute("label", label.ClassName), new XAttribute("source", "manual")));
            }

            root.Add(element);
        }

        var xml = new XDocument(new XDeclaration("1.0", "utf-8", null), root);
        return System.Text.Encoding.UTF8.GetBytes(xml.Declaration + "\n" + root);
    }
}
