using System.IO.Compression;
using Challenge.Ml.Data;

namespace Challenge.Ml.Tests;

public class DataReaderTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Npz_with_uint8_images_int64_labels_and_class_names_written_by_numpy()
    {
        var data = DatasetLoader.Load(TestFiles.Fixture("eurosat_like.npz"));

        Assert.Equal((4, 5, 7, 3), (data.Count, data.Height, data.Width, data.Channels));
        Assert.Equal([3, 0, 9, 1], data.RequireLabels());
        Assert.Equal(10, data.ClassCount);
        Assert.Equal("SeaLake", data.ClassNames![9]);

        // Image i is pattern + i, scaled to [0, 1].
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(((Pattern(6, 4, 2) + i) % 256) / 255f, data.Pixels[i * data.ImageSize + (4 * 7 + 6) * 3 + 2], 6);
        }
    }

    [Fact]
    public void Npy_float32_images_written_by_numpy()
    {
        var data = DatasetLoader.Load(TestFiles.Fixture("float_images.npy"));
        Assert.Equal((1, 5, 7, 1), (data.Count, data.Height, data.Width, data.Channels));
        Assert.False(data.IsLabelled);
        Assert.Equal(Pattern(3, 2, 0) / 255f, data.Pixels[2 * 7 + 3], 6);
    }

    [Fact]
    public void Fortran_order_is_refused_with_a_clear_message()
    {
        var error = Assert.Throws<NotSupportedException>(() => NpyReader.ReadNpy(TestFiles.Fixture("fortran.npy")));
        Assert.Contains("Fortran", error.Message);
    }

    [Fact]
    public void Npz_of_grey_images_and_int32_labels_written_here()
    {
        var path = _files.PathOf("grey.npz");
        var pixels = Enumerable.Range(0, 3 * 2 * 2).Select(i => (byte)(i * 20)).ToArray();
        TestFiles.WriteNpz(
            path,
            ("images", TestFiles.Npy("|u1", [3, 2, 2], pixels)),
            ("labels", TestFiles.Npy("<i4", [3], [2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0])));

        var data = DatasetLoader.Load(path);

        Assert.Equal((3, 2, 2, 1), (data.Count, data.Height, data.Width, data.Channels));
        Assert.Equal([2, 0, 1], data.RequireLabels());
        Assert.Null(data.ClassNames);
        Assert.Equal(220 / 255f, data.Pixels[11], 6);
    }

    [Fact]
    public void Npz_float32_nhwc_images()
    {
        var path = _files.PathOf("float.npz");
        var values = Enumerable.Range(0, 2 * 2 * 2 * 3).Select(i => i * 0.5f).ToArray();
        TestFiles.WriteNpz(path, ("x", TestFiles.Npy("<f4", [2, 2, 2, 3], TestFiles.Floats(values))), ("y", TestFiles.Npy("<i8", [2], TestFiles.Int64s(1, 0))));

        var data = DatasetLoader.Load(path);
        Assert.Equal(3, data.Channels);
        Assert.Equal(values, data.Pixels);
        Assert.Equal([1, 0], data.RequireLabels());
    }

    [Theory]
    [InlineData("<c8", "dtype <c8")]
    [InlineData(">f4", "big-endian")]
    [InlineData("|O", "object")]
    public void Unsupported_dtypes_are_refused_with_their_name(string descr, string expected)
    {
        var path = _files.PathOf("bad.npz");
        TestFiles.WriteNpz(path, ("x", TestFiles.Npy(descr, [1, 2, 2], new byte[32])));
        var error = Assert.ThrowsAny<Exception>(() => DatasetLoader.Load(path));
        Assert.True(error is NotSupportedException, error.ToString());
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Float_labels_are_refused()
    {
        var path = _files.PathOf("float-labels.npz");
        TestFiles.WriteNpz(path, ("x", TestFiles.Npy("|u1", [2, 1, 1], [1, 2])), ("y", TestFiles.Npy("<f4", [2], TestFiles.Floats(0, 1))));

        // A float vector is not taken as labels; asking for them fails clearly.
        var data = DatasetLoader.Load(path);
        Assert.False(data.IsLabelled);
        Assert.Throws<NotSupportedException>(() => NpyReader.ReadNpz(path)["y"].ToLabels());
    }

    [Fact]
    public void Channels_first_arrays_are_refused()
    {
        var path = _files.PathOf("nchw.npy");
        File.WriteAllBytes(path, TestFiles.Npy("|u1", [1, 3, 8, 8], new byte[3 * 64]));
        var error = Assert.Throws<NotSupportedException>(() => DatasetLoader.Load(path));
        Assert.Contains("channels-first", error.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Idx_images_and_labels_gzipped_or_not(bool gzip)
    {
        var pixels = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)(i * 10)).ToArray();
        var images = TestFiles.Idx([2, 3, 4], pixels);
        var labels = TestFiles.Idx([2], [7, 3]);
        var suffix = gzip ? ".gz" : string.Empty;
        File.WriteAllBytes(_files.PathOf("train-images-idx3-ubyte" + suffix), gzip ? TestFiles.Gzip(images) : images);
        File.WriteAllBytes(_files.PathOf("train-labels-idx1-ubyte" + suffix), gzip ? TestFiles.Gzip(labels) : labels);

        var data = DatasetLoader.Load(_files.PathOf("train-images-idx3-ubyte" + suffix));

        Assert.Equal((2, 3, 4, 1), (data.Count, data.Height, data.Width, data.Channels));
        Assert.Equal([7, 3], data.RequireLabels());
        Assert.Equal(230 / 255f, data.Pixels[23], 6);
    }

    [Fact]
    public void Idx_with_another_element_type_is_refused()
    {
        var path = _files.PathOf("floats-idx3-ubyte");
        File.WriteAllBytes(path, [0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
        Assert.Throws<NotSupportedException>(() => DatasetLoader.Load(path));
    }

    [Theory]
    [InlineData("grey.png", 1)]
    [InlineData("rgb.png", 3)]
    [InlineData("rgba.png", 4)]
    [InlineData("grey_alpha.png", 2)]
    public void Png_files_written_by_pillow(string file, int channels)
    {
        var image = PngDecoder.Decode(TestFiles.Fixture(file));
        Assert.Equal((7, 5, channels), (image.Width, image.Height, image.Channels));
        for (var y = 0; y < 5; y++)
        {
            for (var x = 0; x < 7; x++)
            {
                for (var c = 0; c < channels; c++)
                {
                    Assert.Equal(Pattern(x, y, c), image.Pixels[(y * 7 + x) * channels + c]);
                }
            }
        }
    }

    [Fact]
    public void Palette_png_written_by_pillow_expands_to_rgb()
    {
        var image = PngDecoder.Decode(TestFiles.Fixture("palette.png"));
        Assert.Equal(3, image.Channels);
        var index = Pattern(5, 3, 0) % 16;
        var offset = (3 * 7 + 5) * 3;
        Assert.Equal([(byte)(index * 10 % 256), (byte)(index * 20 % 256), (byte)(index * 30 % 256)], image.Pixels[offset..(offset + 3)]);
    }

    [Theory]
    [InlineData(0, (byte)0)]
    [InlineData(0, (byte)1)]
    [InlineData(0, (byte)2)]
    [InlineData(2, (byte)3)]
    [InlineData(2, (byte)4)]
    [InlineData(6, (byte)4)]
    [InlineData(4, (byte)3)]
    public void Every_row_filter_decodes_to_the_original_samples(byte colourType, byte filter)
    {
        var channels = colourType switch { 0 => 1, 2 => 3, 4 => 2, _ => 4 };
        var samples = new byte[6 * 4 * channels];
        new Random(colourType * 10 + filter).NextBytes(samples);
        var png = PngTestEncoder.Encode(6, 4, colourType, samples, filter);

        var image = PngDecoder.Decode(new MemoryStream(png), "test.png");

        Assert.Equal(channels, image.Channels);
        Assert.Equal(samples, image.Pixels);
    }

    [Fact]
    public void Interlaced_png_is_refused_with_a_clear_message()
    {
        var png = PngTestEncoder.Encode(2, 2, 0, [1, 2, 3, 4], 0, interlaced: true);
        var error = Assert.Throws<NotSupportedException>(() => PngDecoder.Decode(new MemoryStream(png), "scan.png"));
        Assert.Contains("scan.png", error.Message);
        Assert.Contains("interlaced", error.Message);
    }

    [Fact]
    public void Folder_of_pngs_with_labels_csv_uses_the_csv_order_and_class_names()
    {
        var folder = Directory.CreateDirectory(_files.PathOf("images")).FullName;
        WriteGrey(Path.Combine(folder, "a.png"), 10);
        WriteGrey(Path.Combine(folder, "b.png"), 20);
        File.WriteAllBytes(Path.Combine(folder, "c.png"), PngTestEncoder.Encode(2, 2, 2, [.. Enumerable.Repeat((byte)30, 12)], 1));
        File.WriteAllText(Path.Combine(folder, "labels.csv"), "filename,label\nc.png,Forest\na.png,River\n\"b\",Forest\n");

        var data = DatasetLoader.Load(folder);

        Assert.Equal((3, 2, 2, 3), (data.Count, data.Height, data.Width, data.Channels));
        Assert.Equal(["Forest", "River"], data.ClassNames);
        Assert.Equal([0, 1, 0], data.RequireLabels());
        Assert.Equal(30 / 255f, data.Pixels[0], 6);
        Assert.Equal(10 / 255f, data.Pixels[12 + 5], 6);
    }

    [Fact]
    public void Zip_of_a_folder_with_numeric_labels()
    {
        var zipPath = _files.PathOf("images.zip");
        using (var archive = ZipFile.Open(zipPath, ZipArchiveMode.Create))
        {
            Add(archive, "set/labels.csv", "image,category\nimg/x.png,2\nimg/y.png,0\n"u8.ToArray());
            Add(archive, "set/img/x.png", PngTestEncoder.Encode(2, 2, 0, [1, 2, 3, 4], 2));
            Add(archive, "set/img/y.png", PngTestEncoder.Encode(2, 2, 0, [5, 6, 7, 8], 4));
        }

        var data = DatasetLoader.Load(zipPath);

        Assert.Equal([2, 0], data.RequireLabels());
        Assert.Null(data.ClassNames);
        Assert.Equal(8 / 255f, data.Pixels[7], 6);
    }

    [Fact]
    public void Folder_without_labels_is_read_unlabelled_in_name_order()
    {
        var folder = Directory.CreateDirectory(_files.PathOf("test")).FullName;
        WriteGrey(Path.Combine(folder, "2.png"), 200);
        WriteGrey(Path.Combine(folder, "1.png"), 100);

        var data = DatasetLoader.Load(folder);

        Assert.False(data.IsLabelled);
        Assert.Equal(100 / 255f, data.Pixels[0], 6);
    }

    [Fact]
    public void Jpeg_files_are_refused_with_their_name()
    {
        var folder = Directory.CreateDirectory(_files.PathOf("photos")).FullName;
        WriteGrey(Path.Combine(folder, "a.png"), 1);
        File.WriteAllBytes(Path.Combine(folder, "dive-042.jpg"), [0xFF, 0xD8, 0xFF, 0xE0, 0, 0]);

        var error = Assert.Throws<NotSupportedException>(() => DatasetLoader.Load(folder));
        Assert.Contains("dive-042.jpg", error.Message);
        Assert.Contains("JPEG", error.Message);
    }

    [Fact]
    public void Jpeg_content_under_a_png_name_is_refused_too()
    {
        var error = Assert.Throws<NotSupportedException>(() =>
            PngDecoder.Decode(new MemoryStream([0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0, 0, 0]), "fake.png"));
        Assert.Contains("fake.png", error.Message);
        Assert.Contains("JPEG", error.Message);
    }

    [Fact]
    public void Images_of_different_sizes_are_refused()
    {
        var folder = Directory.CreateDirectory(_files.PathOf("mixed")).FullName;
        WriteGrey(Path.Combine(folder, "a.png"), 1);
        File.WriteAllBytes(Path.Combine(folder, "b.png"), PngTestEncoder.Encode(3, 2, 0, new byte[6], 0));
        var error = Assert.Throws<InvalidDataException>(() => DatasetLoader.Load(folder));
        Assert.Contains("b.png", error.Message);
    }

    private static int Pattern(int x, int y, int c) => (x * 37 + y * 91 + c * 53) % 256;

    private static void WriteGrey(string path, byte value) =>
        File.WriteAllBytes(path, PngTestEncoder.Encode(2, 2, 0, [value, value, value, value], 0));

    private static void Add(ZipArchive archive, string name, byte[] content)
    {
        using var stream = archive.CreateEntry(name).Open();
        stream.Write(content);
    }
}
