using System.Xml;
using System.Xml.Linq;
using Challenge.Annotations.Model;

namespace Challenge.Annotations.Safety;

/// <summary>
/// XML loading with DTDs refused outright and no resolver, so that entity expansion (billion laughs) and
/// external entities (XXE) can neither run nor reach the file system or the network.
/// </summary>
public static class SafeXml
{
    private const long MaxCharacters = 256L * 1024 * 1024;

    public static XDocument Load(byte[] content, string entry)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersFromEntities = 0,
            MaxCharactersInDocument = MaxCharacters,
            IgnoreComments = true,
        };
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(content, writable: false), settings);
            return XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException ex) when (ex.Message.Contains("DTD", StringComparison.OrdinalIgnoreCase))
        {
            throw new AnnotationFormatException(entry, ex.LineNumber,
                "XML with a DTD (<!DOCTYPE ...>) is refused: DTDs and entities are not accepted in uploads");
        }
        catch (XmlException ex)
        {
            throw new AnnotationFormatException(entry, ex.LineNumber == 0 ? null : ex.LineNumber, $"invalid XML: {ex.Message}");
        }
    }

    public static int? LineOf(XObject node) => node is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber : null;
}
