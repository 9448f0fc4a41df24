using System.Globalization;
using System.Xml.Linq;
using Challenge.Annotations.Model;
using Challenge.Annotations.Safety;

namespace Challenge.Annotations.Formats;

/// <summary>Typed access to XML values that fails with the entry and line at fault.</summary>
internal static class XmlFields
{
    public static double Number(XElement parent, string child, string entry)
    {
        var element = parent.Element(child)
            ?? throw new AnnotationFormatException(entry, SafeXml.LineOf(parent), $"<{parent.Name.LocalName}> has no <{child}>");
        return Parse(element.Value, entry, SafeXml.LineOf(element), child);
    }

    public static double AttributeNumber(XElement element, string attribute, string entry)
    {
        var value = element.Attribute(attribute)
            ?? throw new AnnotationFormatException(entry, SafeXml.LineOf(element), $"<{element.Name.LocalName}> has no {attribute} attribute");
        return Parse(value.Value, entry, SafeXml.LineOf(element), attribute);
    }

    public static double Parse(string text, string entry, int? line, string what) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? number
            : throw new AnnotationFormatException(entry, line, $"{what}: '{text.Trim()}' is not a number");

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
