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
            var xml = SafeXml.Load(entry.Content, entry.Name);
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

            foreach (var element in xml.Root.Elements("image"))
            {
                var line = SafeXml.LineOf(element);
                var name = element.Attribute("name")?.Value ?? throw new AnnotationFormatException(entry.Name, line, "<image> has no name attribute");
                var image = new ParsedImage(entry.Name)
                {
                    FileName = name,
                    Line = line,
                    Width = element.Attribute("width") is null ? null : (int)XmlFields.AttributeNumber(element, "width", entry.Name),
                    Height = element.Attribute("height") is null ? null : (int)XmlFields.AttributeNumber(element, "height", entry.Name),
                };
                foreach (var box in element.Elements("box"))
                {
                    var boxLine = SafeXml.LineOf(box);
                    var label = box.Attribute("label")?.Value ?? throw new AnnotationFormatException(entry.Name, boxLine, "<box> has no label attribute");
                    var xtl = XmlFields.AttributeNumber(box, "xtl", entry.Name);
                    var ytl = XmlFields.AttributeNumber(box, "ytl", entry.Name);
                    var xbr = XmlFields.AttributeNumber(box, "xbr", entry.Name);
                    var ybr = XmlFields.AttributeNumber(box, "ybr", entry.Name);
                    if (xbr < xtl || ybr < ytl)
                    {
                        throw new AnnotationFormatException(entry.Name, boxLine, "<box> has xbr < xtl or ybr < ytl");
                    }

                    var score = box.Attribute("score") is null ? (double?)null : XmlFields.AttributeNumber(box, "score", entry.Name);
                    image.Boxes.Add(new ParsedBox(label, null, xtl, ytl, xbr - xtl, ybr - ytl, BoxUnits.Pixels, Score: score, Line: boxLine));
                }

                foreach (var tag in element.Elements("tag"))
                {
                    image.Labels.Add(tag.Attribute("label")?.Value
                        ?? throw new AnnotationFormatException(entry.Name, SafeXml.LineOf(tag), "<tag> has no label attribute"));
                }

                document.Images.Add(image);
            }
        }

        return document;
    }

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
