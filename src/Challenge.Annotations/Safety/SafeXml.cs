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

    /// <summary>
    /// The deepest element nesting accepted. CVAT and Pascal VOC files nest five or six levels; building a tree of
    /// tens of thousands of levels costs time that grows faster than the file, which a 700 KB upload can exploit.
    /// </summary>
    public const int MaxDepth = 64;

    public static XDocument Load(byte[] content, string entry, CancellationToken cancellationToken = default)
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
            // A streaming pass that only counts depth comes first: it costs one linear read, and the tree is
            // built only for documents of sane shape.
            using (var scan = XmlReader.Create(new MemoryStream(content, writable: false), settings))
            {
                while (scan.Read())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (scan.NodeType == XmlNodeType.Element && scan.Depth >= MaxDepth)
                    {
                        var line = scan is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber : (int?)null;
                        throw new AnnotationFormatException(entry, line,
                            $"the XML nests elements deeper than {MaxDepth} levels (<{scan.LocalName}> here); annotation files need a handful");
                    }
                }
            }

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
