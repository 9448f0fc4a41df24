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

    // Skia gives grey files one channel and everything else RGB: alpha is dropped, a grey+alpha
    // file's grey is repeated on three channels.
    [Theory]
    [InlineData("grey.png", 1, new[] { 0 })]
    [InlineData("rgb.png", 3, new[] { 0, 1, 2 })]
    [InlineData("rgba.png", 3, new[] { 0, 1, 2 })]
    [InlineData("grey_alpha.png", 3, new[] { 0, 0, 0 })]
    public void Png_files_written_by_pillow(string file, int channels, int[] sourceChannels)
    {
        using var stream = File.OpenRead(TestFiles.Fixture(file));
        var image = ImageDecoder.Decode(stream, file);
        Assert.Equal((7, 5, channels), (image.Width, image.Height, image.Channels));
        for (var y = 0; y < 5; y++)
        {
            for (var x = 0; x < 7; x++)
            {
                for (var c = 0; c < channels; c++)
                {
                    Assert.Equal(Pattern(x, y, sourceChannels[c]), image.Pixels[(y * 7 + x) * channels + c]);
                }
            }
        }
    }

    [Fact]
    public void Palette_png_written_by_pillow_expands_to_rgb()
    {
        using var stream = File.OpenRead(TestFiles.Fixture("palette.png"));
        var image = ImageDecoder.Decode(stream, "palette.png");
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
    public void Every_row_filter_decodes_to_the_original_samples(byte colourType, byte filter)
    {
        var channels = colourType == 0 ? 1 : 3;
        var samples = new byte[6 * 4 * channels];
        new Random(colourType * 10 + filter).NextBytes(samples);
        var png = PngTestEncoder.Encode(6, 4, colourType, samples, filter);

        var image = ImageDecoder.Decode(new MemoryStream(png), "test.png");

        Assert.Equal(channels, image.Channels);
        Assert.Equal(samples, image.Pixels);
    }

    [Fact]
    public void A_jpeg_decodes_close_to_what_was_encoded()
    {
        var jpeg = TestImages.Jpeg(16, 12, (x, y) => (byte)(x < 8 ? 40 : 210), quality: 95);

        var image = ImageDecoder.Decode(new MemoryStream(jpeg), "dive-042.jpg");

        Assert.Equal((16, 12, 3), (image.Width, image.Height, image.Channels));
        // Lossy: near the encoded value, away from the edge between the halves.
        Assert.InRange(image.Pixels[(5 * 16 + 2) * 3], 30, 50);
        Assert.InRange(image.Pixels[(5 * 16 + 13) * 3], 200, 220);
    }

    [Fact]
    public void A_corrupt_jpeg_in_a_zip_is_refused_naming_its_entry()
    {
        var zipPath = _files.PathOf("photos.zip");
        var good = TestImages.Jpeg(8, 8, (x, y) => 100);
        var corrupt = good[..(good.Length / 2)];
        corrupt[^10..].AsSpan().Fill(0x55);
        using (var archive = ZipFile.Open(zipPath, ZipArchiveMode.Create))
        {
            Add(archive, "dives/labels.csv", "file,label\na.jpg,kelp\nb.jpg,sand\n"u8.ToArray());
            Add(archive, "dives/a.jpg", good);
            Add(archive, "dives/b.jpg", corrupt);
        }

        var error = Assert.Throws<InvalidDataException>(() => DatasetLoader.Load(zipPath));
        Assert.Contains("b.jpg", error.Message);
        Assert.Contains("corrupt JPEG", error.Message);
    }

    [Fact]
    public void A_file_that_is_no_image_is_refused_naming_it()
    {
        var folder = Directory.CreateDirectory(_files.PathOf("notes")).FullName;
        WriteGrey(Path.Combine(folder, "a.png"), 1);
        File.WriteAllText(Path.Combine(folder, "readme.png"), "not a picture at all");

        var error = Assert.Throws<NotSupportedException>(() => DatasetLoader.Load(folder));
        Assert.Contains("readme.png", error.Message);
    }

    [Fact]
    public void An_image_too_large_to_decode_is_refused_before_decoding()
    {
        // A tiny PNG whose header claims 20000 x 20000 pixels (its CRC fixed), as a crafted file would.
        var png = PngTestEncoder.Encode(1, 1, 0, [7], 0);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 20_000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 20_000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), PngTestEncoder.Crc32(png[12..29]));

        var error = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(new MemoryStream(png), "huge.png"));
        Assert.Contains("huge.png", error.Message);
        Assert.Contains("20000x20000", error.Message);
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
        WriteGrey(Path.Combine(folder, "1.jpg"), 100, jpeg: true);

        var data = DatasetLoader.Load(folder);

        Assert.False(data.IsLabelled);
        Assert.InRange(data.Pixels[0] * 255, 95, 105);
    }

    [Fact]
    public void Images_of_other_sizes_are_resized_to_the_first_and_a_test_set_to_the_given_shape()
    {
        var folder = Directory.CreateDirectory(_files.PathOf("mixed")).FullName;
        WriteGrey(Path.Combine(folder, "a.png"), 50);
        File.WriteAllBytes(Path.Combine(folder, "b.png"), PngTestEncoder.Encode(6, 4, 0, [.. Enumerable.Repeat((byte)90, 24)], 0));

        var data = DatasetLoader.Load(folder);
        Assert.Equal((2, 2, 2, 1), (data.Count, data.Height, data.Width, data.Channels));
        Assert.Equal(90 / 255f, data.Pixels[4], 6);

        var test = DatasetLoader.Load(folder, new ImageShape(3, 5, 3));
        Assert.Equal((2, 3, 5, 3), (test.Count, test.Height, test.Width, test.Channels));
        Assert.Equal(50 / 255f, test.Pixels[0], 6);
    }

    private static int Pattern(int x, int y, int c) => (x * 37 + y * 91 + c * 53) % 256;

    private static void WriteGrey(string path, byte value, bool jpeg = false) =>
        File.WriteAllBytes(path, jpeg ? TestImages.Jpeg(2, 2, (_, _) => value, quality: 100) : PngTestEncoder.Encode(2, 2, 0, [value, value, value, value], 0));

    private static void Add(ZipArchive archive, string name, byte[] content)
    {
        using var stream = archive.CreateEntry(name).Open();
        stream.Write(content);
    }
}
