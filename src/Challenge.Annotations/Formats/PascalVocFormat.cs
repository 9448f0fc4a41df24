using System.IO.Compression;
using System.Xml.Linq;
using Challenge.Annotations.Model;
using Challenge.Annotations.Safety;

namespace Challenge.Annotations.Formats;

/// <summary>
/// Pascal VOC XML, one file per image. Corners are read as LabelImg and CVAT write them: <c>xmin = x</c>,
/// <c>xmax = x + width</c> in pixels. <c>difficult</c> objects are kept as crowd boxes, the one flag the common
/// model has for "present but not to be counted".
/// </summary>
internal static class PascalVocFormat
{
    public static bool IsVocDocument(XDocument xml) => xml.Root?.Name.LocalName == "annotation";

    public static ParsedDocument Read(IReadOnlyList<InputEntry> entries)
    {
        var document = new ParsedDocument(AnnotationFormat.PascalVoc);
        foreach (var entry in entries)
        {
            var xml = SafeXml.Load(entry.Content, entry.Name, entry.Cancellation);
            var root = xml.Root!;
            if (root.Name.LocalName != "annotation")
            {
                throw new AnnotationFormatException(entry.Name, SafeXml.LineOf(root), $"a Pascal VOC file has an <annotation> root, not <{root.Name.LocalName}>");
            }

            var fileName = root.Element("filename")?.Value.Trim();
            var image = new ParsedImage(entry.Name)
            {
                FileName = string.IsNullOrEmpty(fileName) ? Path.GetFileNameWithoutExtension(entry.Name) : fileName,
                Line = SafeXml.LineOf(root),
            };
            if (root.Element("size") is { } size && size.Element("width") is not null && size.Element("height") is not null)
            {
                image.Width = (int)XmlFields.Number(size, "width", entry.Name);
                image.Height = (int)XmlFields.Number(size, "height", entry.Name);
            }

            foreach (var obj in root.Elements("object"))
            {
                var line = SafeXml.LineOf(obj);
                var name = obj.Element("name")?.Value.Trim();
                if (string.IsNullOrEmpty(name))
                {
                    throw new AnnotationFormatException(entry.Name, line, "<object> has no <name>");
                }

                if (obj.Element("robndbox") is { } rotated)
                {
                    // roLabelImg writes <robndbox> with cx, cy, w, h and an angle in radians; there is no upright box to read.
                    var angle = rotated.Element("angle") is { } angleElement ? angleElement.Value.Trim() : "?";
                    throw new AnnotationFormatException(entry.Name, SafeXml.LineOf(rotated),
                        $"<object> '{name}' has a rotated box (<robndbox>, angle {angle}); rotated boxes are not supported, export upright <bndbox> boxes");
                }

                var box = obj.Element("bndbox") ?? throw new AnnotationFormatException(entry.Name, line, "<object> has no <bndbox>");
                var xmin = XmlFields.Number(box, "xmin", entry.Name);
                var ymin = XmlFields.Number(box, "ymin", entry.Name);
                var xmax = XmlFields.Number(box, "xmax", entry.Name);
                var ymax = XmlFields.Number(box, "ymax", entry.Name);
                if (xmax < xmin || ymax < ymin)
                {
                    throw new AnnotationFormatException(entry.Name, line, "<bndbox> has xmax < xmin or ymax < ymin");
                }

                var score = obj.Element("score") is { } scoreElement ? XmlFields.Parse(scoreElement.Value, entry.Name, SafeXml.LineOf(scoreElement), "score") : (double?)null;
                image.Boxes.Add(new ParsedBox(name, null, xmin, ymin, xmax - xmin, ymax - ymin, BoxUnits.Pixels,
                    Score: score, IsCrowd: obj.Element("difficult")?.Value.Trim() == "1", Line: line));
            }

            document.Images.Add(image);
        }

        return document;
    }

    public static byte[] Write(AnnotationDataset dataset)
    {
        var names = dataset.Categories.ToDictionary(c => c.Id, c => c.Name);
        var boxesByImage = dataset.Boxes.ToLookup(b => b.ImageId);
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var image in dataset.Images)
            {
                var root = new XElement("annotation",
                    new XElement("folder", "images"),
                    new XElement("filename", image.FileName),
                    new XElement("size", new XElement("width", image.Width), new XElement("height", image.Height), new XElement("depth", 3)),
                    new XElement("segmented", 0));
                foreach (var box in boxesByImage[image.Id])
                {
                    var obj = new XElement("object",
                        new XElement("name", names[box.CategoryId]),
                        new XElement("pose", "Unspecified"),
                        new XElement("truncated", 0),
                        new XElement("difficult", box.IsCrowd ? 1 : 0),
                        new XElement("bndbox",
                            new XElement("xmin", XmlFields.Format(box.X)),
                            new XElement("ymin", XmlFields.Format(box.Y)),
                            new XElement("xmax", XmlFields.Format(box.X + box.Width)),
                            new XElement("ymax", XmlFields.Format(box.Y + box.Height))));
                    if (box.Score is { } score)
                    {
                        obj.Add(new XElement("score", XmlFields.Format(score)));
                    }

                    root.Add(obj);
                }

                YoloFormat.AddText(zip, $"Annotations/{Path.GetFileNameWithoutExtension(image.FileName)}.xml",
                    new XDocument(new XDeclaration("1.0", "utf-8", null), root).Declaration + "\n" + root);
            }
        }

        return buffer.ToArray();
    }
}
