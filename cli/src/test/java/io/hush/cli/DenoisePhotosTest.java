package io.hush.cli;

import io.hush.data.Images;
import io.hush.image.FloatImage;
import org.apache.commons.imaging.Imaging;
import org.apache.commons.imaging.common.ImageMetadata;
import org.apache.commons.imaging.common.RationalNumber;
import org.apache.commons.imaging.formats.jpeg.JpegImageMetadata;
import org.apache.commons.imaging.formats.png.PngImageMetadata;
import org.apache.commons.imaging.formats.tiff.TiffField;
import org.apache.commons.imaging.formats.tiff.TiffImageMetadata;
import org.apache.commons.imaging.formats.tiff.constants.ExifTagConstants;
import org.apache.commons.imaging.formats.tiff.constants.GpsTagConstants;
import org.apache.commons.imaging.formats.tiff.constants.TiffTagConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Photos in, photos out: every fixture of tools/photos/make_photos.py goes through {@code hush denoise} with the
 * pass-through model {@code classic:identity}, so what comes out is exactly what the read/write path does, and is
 * compared with the picture as other software (libjpeg-turbo, LittleCMS, OpenCV/libtiff through Pillow and OpenCV)
 * shows it: same displayed orientation, colours (8-bit: at most 1 level; JPEG re-encoding and CMYK profile
 * conversions within their own error), bit depth, and metadata (EXIF read back by commons-imaging, ICC bytes).
 */
class DenoisePhotosTest {
    @TempDir Path dir;
    Path in, out;

    @BeforeEach
    void setUp() throws IOException {
        in = Files.createDirectory(dir.resolve("in"));
        out = Files.createDirectory(dir.resolve("out"));
    }

    static Path fixture(String name) {
        try {
            return Path.of(DenoisePhotosTest.class.getResource("/photos/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("missing fixture " + name + " (run tools/photos/make_photos.py)", e);
        }
    }

    /** Copies fixture {@code name} to in/, denoises it into out/ with classic:identity, returns the one output. */
    Path denoise(String name, String... extra) throws IOException {
        Path src = Files.copy(fixture(name), in.resolve(Path.of(name).getFileName().toString()),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String[] args = new String[5 + extra.length];
        args[0] = "denoise";
        args[1] = src.toString();
        args[2] = "-o";
        args[3] = out.toString() + "/";
        args[4] = "--model=classic:identity";
        System.arraycopy(extra, 0, args, 5, extra.length);
        Cli.Result r = Cli.run(args);
        assertEquals(0, r.code(), r.toString());
        List<String> files = Cli.files(out);
        assertEquals(1, files.size(), files.toString());
        return out.resolve(files.get(0));
    }

    /** Largest difference in levels of {@code depth} bits between two images of the same size and channels. */
    static double maxDiff(FloatImage a, FloatImage b, int depth) {
        assertEquals(a.width(), b.width(), "width");
        assertEquals(a.height(), b.height(), "height");
        assertEquals(a.channels(), b.channels(), "channels");
        assertEquals(a.hasAlpha(), b.hasAlpha(), "alpha");
        double m = 0, scale = (1 << depth) - 1;
        for (int c = 0; c <= a.channels(); c++) {
            float[] x = c < a.channels() ? a.plane(c) : a.alpha(), y = c < a.channels() ? b.plane(c) : b.alpha();
            if (x == null) continue;
            for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]) * scale);
        }
        return m;
    }

    static double[] means(FloatImage a) {
        double[] m = new double[a.channels()];
        for (int c = 0; c < m.length; c++) {
            for (float v : a.plane(c)) m[c] += v * 255.0;
            m[c] /= a.plane(c).length;
        }
        return m;
    }

    static double meanDiff(FloatImage a, FloatImage b) {
        double s = 0;
        long n = 0;
        for (int c = 0; c < a.channels(); c++) {
            for (int i = 0; i < a.plane(c).length; i++, n++) s += Math.abs(a.plane(c)[i] - b.plane(c)[i]) * 255.0;
        }
        return s / n;
    }

    static FloatImage read(Path p) throws IOException {
        return Images.read(p);
    }

    /** The EXIF of a JPEG, PNG or TIFF as commons-imaging reads it (not Hush's own parser). */
    static TiffImageMetadata exif(Path p) throws IOException {
        ImageMetadata m = Imaging.getMetadata(p.toFile());
        if (m instanceof JpegImageMetadata j) return j.getExif();
        if (m instanceof PngImageMetadata png) return png.getExif();
        if (m instanceof TiffImageMetadata t) return t;
        return null;
    }

    /** The fixtures' camera EXIF is there: make, model, exposure, ISO, date, GPS; orientation 1 or absent. */
    static void hasCameraExif(Path p, int width, int height) throws IOException {
        TiffImageMetadata e = exif(p);
        assertNotNull(e, "EXIF kept in " + p.getFileName());
        assertEquals("HushTest", e.findField(TiffTagConstants.TIFF_TAG_MAKE, true).getStringValue().trim());
        assertEquals("Fixture 1", e.findField(TiffTagConstants.TIFF_TAG_MODEL, true).getStringValue().trim());
        TiffField orient = e.findField(TiffTagConstants.TIFF_TAG_ORIENTATION, true);
        if (orient != null) assertEquals(1, orient.getIntValue(), "orientation made consistent with upright pixels");
        assertEquals(1.0 / 125, e.findField(ExifTagConstants.EXIF_TAG_EXPOSURE_TIME, true).getDoubleValue(), 1e-9);
        assertEquals(400, e.findField(ExifTagConstants.EXIF_TAG_ISO, true).getIntValue());
        assertEquals("2024:05:01 12:34:56",
                e.findField(ExifTagConstants.EXIF_TAG_DATE_TIME_ORIGINAL, true).getStringValue().trim());
        RationalNumber[] lat = (RationalNumber[]) e.findField(GpsTagConstants.GPS_TAG_GPS_LATITUDE, true).getValue();
        assertEquals(48, lat[0].intValue());
        assertEquals(51, lat[1].intValue());
        assertEquals(30, lat[2].intValue());
        TiffField px = e.findField(ExifTagConstants.EXIF_TAG_EXIF_IMAGE_WIDTH, true);
        TiffField py = e.findField(ExifTagConstants.EXIF_TAG_EXIF_IMAGE_LENGTH, true);
        if (px != null) assertEquals(width, px.getIntValue(), "EXIF pixel width of the upright picture");
        if (py != null) assertEquals(height, py.getIntValue(), "EXIF pixel height of the upright picture");
    }

    static boolean startsWith(Path p, int... magic) throws IOException {
        byte[] b = Files.readAllBytes(p);
        for (int i = 0; i < magic.length; i++) if ((b[i] & 0xFF) != magic[i]) return false;
        return true;
    }

    // ------------------------------------------------------------------------------------------------ orientation

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void everyExifOrientationComesOutUprightWithItsExif(int o) throws IOException {
        Path png = denoise("orient-" + o + ".jpg", "--format", "png");
        assertEquals("orient-" + o + ".png", png.getFileName().toString());
        FloatImage expected = read(fixture("orient-" + o + ".expect.png")); // libjpeg-turbo + Pillow's exif_transpose
        FloatImage got = read(png);
        assertEquals(48, got.width());
        assertEquals(32, got.height());
        assertTrue(maxDiff(expected, got, 8) <= 1, "orientation " + o + ": " + maxDiff(expected, got, 8) + " levels");
        hasCameraExif(png, 48, 32);
        // The thumbnail IFD shows the stored (unturned) picture: kept only when nothing was turned.
        assertEquals(o == 1, exif(png).findDirectory(1) != null, "thumbnail IFD");
    }

    @ParameterizedTest
    @ValueSource(strings = {"orient-3.png", "orient-6.png"})
    void pngExifOrientationIsAppliedExactly(String name) throws IOException {
        Path png = denoise(name);
        FloatImage got = read(png);
        // widergb.png holds the same upright picture, stored as is (its ICC tag does not change the samples)
        assertEquals(0, maxDiff(read(fixture("widergb.png")), got, 8), "exactly the upright picture");
        hasCameraExif(png, 48, 32);
        // the stored pixels themselves are upright: read without Hush, they are the same
        java.awt.image.BufferedImage raw = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(48, raw.getWidth());
    }

    /** A TIFF's own orientation tag and the camera EXIF in its IFD0 (EXIF and GPS sub-IFDs): TIFF and JPEG out. */
    @Test
    void tiffOrientationAndExifAreKept() throws IOException {
        Path tif = denoise("orient-8.tif");
        assertEquals("orient-8.tif", tif.getFileName().toString());
        assertEquals(0, maxDiff(read(fixture("widergb.png")), read(tif), 8), "upright, exactly (libtiff agrees)");
        hasCameraExif(tif, 48, 32);
        Files.delete(tif);
        Path jpg = denoise("orient-8.tif", "--format", "jpeg");
        hasCameraExif(jpg, 48, 32);
        double mean = meanDiff(read(fixture("widergb.png")), read(jpg));
        assertTrue(mean < 1.5, "JPEG at quality 95 of the lossless picture: mean " + mean);
    }

    /** What a phone photo needs: {@code hush denoise photo.jpg -o out/} gives an upright JPEG with the photo's EXIF. */
    @Test
    void portraitPhoneJpegComesOutAsUprightJpegWithItsExif() throws IOException {
        Path jpg = denoise("orient-6.jpg");
        assertEquals("orient-6.jpg", jpg.getFileName().toString());
        assertTrue(startsWith(jpg, 0xFF, 0xD8, 0xFF), "a JPEG");
        java.awt.image.BufferedImage raw = javax.imageio.ImageIO.read(jpg.toFile()); // no orientation applied
        assertEquals(48, raw.getWidth(), "stored upright, not on its side");
        assertEquals(32, raw.getHeight());
        hasCameraExif(jpg, 48, 32);
        FloatImage expected = read(fixture("orient-6.expect.png")), got = read(jpg);
        assertTrue(meanDiff(expected, got) < 1.0, "JPEG re-encoding at quality 95: mean " + meanDiff(expected, got));
        assertTrue(maxDiff(expected, got, 8) <= 12, "JPEG re-encoding at quality 95: max " + maxDiff(expected, got, 8));
        long q95 = Files.size(jpg);
        Files.delete(jpg);
        Files.delete(in.resolve("orient-6.jpg"));
        long q50 = Files.size(denoise("orient-6.jpg", "--quality", "50"));
        assertTrue(q50 < q95, "--quality 50 gives a smaller file: " + q50 + " vs " + q95);
    }

    @Test
    void inputIsUntouchedAndFormatCanBeChosen() throws IOException {
        Path tif = denoise("orient-8.jpg", "--format", "tiff");
        assertEquals("orient-8.tif", tif.getFileName().toString());
        assertArrayEquals(Files.readAllBytes(fixture("orient-8.jpg")), Files.readAllBytes(in.resolve("orient-8.jpg")));
        assertTrue(maxDiff(read(fixture("orient-8.expect.png")), read(tif), 8) <= 1);
        hasCameraExif(tif, 48, 32);
    }

    // ------------------------------------------------------------------------------------------------ colour

    /** CMYK and YCCK, Adobe-inverted or not: converted with the embedded profile, as LittleCMS converts them. */
    @ParameterizedTest
    @ValueSource(strings = {"cmyk-adobe.jpg", "cmyk-plain.jpg", "ycck.jpg"})
    void cmykAndYcckJpegsGetTheirProfilesColours(String name) throws IOException {
        Path png = denoise(name, "--format", "png");
        FloatImage expected = read(fixture(name.startsWith("ycck") ? "ycck.expect.png" : "cmyk.expect.png"));
        FloatImage got = read(png);
        double[] me = means(expected), mg = means(got);
        for (int c = 0; c < 3; c++) assertEquals(me[c], mg[c], 1.5, name + " channel " + c + " mean");
        // Java's and Debian's LittleCMS builds differ by up to 15 levels in the deep shadows of this small test
        // profile (its 5-point grid, 8-bit transforms); everywhere else they agree within a level or two.
        assertTrue(meanDiff(expected, got) < 1.5, name + ": mean " + meanDiff(expected, got));
        assertTrue(maxDiff(expected, got, 8) <= 20, name + ": max " + maxDiff(expected, got, 8));
        // the profile was used: the plain CMYK formula on the same ink is much further off
        FloatImage plain = read(fixture("cmyk-noprofile.expect.png"));
        assertTrue(meanDiff(plain, got) > 5 * meanDiff(expected, got), name + ": plain formula " + meanDiff(plain, got));
        hasCameraExif(png, 48, 32);
        assertNull(Imaging.getIccProfileBytes(png.toFile()), "the CMYK profile is not put on RGB pixels");
    }

    @Test
    void cmykJpegWithoutProfileIsConvertedPlainly() throws IOException {
        Path png = denoise("cmyk-noprofile.jpg", "--format", "png");
        FloatImage expected = read(fixture("cmyk-noprofile.expect.png")), got = read(png);
        assertTrue(maxDiff(expected, got, 8) <= 2, "max " + maxDiff(expected, got, 8));
    }

    /** ICC-tagged RGB: denoised in its own encoding (samples as stored), written with the same profile. */
    @Test
    void iccTaggedRgbKeepsItsSamplesAndProfile() throws IOException {
        byte[] icc = Imaging.getIccProfileBytes(fixture("widergb.jpg").toFile());
        assertNotNull(icc);
        Path jpg = denoise("widergb.jpg");
        assertArrayEquals(icc, Imaging.getIccProfileBytes(jpg.toFile()), "JPEG: same ICC profile");
        FloatImage expected = read(fixture("widergb.expect.png"));
        assertTrue(meanDiff(expected, read(jpg)) < 1.0, "JPEG: mean " + meanDiff(expected, read(jpg)));
        hasCameraExif(jpg, 48, 32);

        Files.delete(jpg);
        Files.delete(in.resolve("widergb.jpg"));
        Path png = denoise("widergb.jpg", "--format", "png");
        assertTrue(maxDiff(expected, read(png), 8) <= 1, "samples not converted to sRGB: " + maxDiff(expected, read(png), 8));
        assertArrayEquals(icc, Imaging.getIccProfileBytes(png.toFile()), "PNG: same ICC profile");

        Files.delete(png);
        Files.delete(in.resolve("widergb.jpg"));
        Path png2 = denoise("widergb.png");
        assertEquals(0, maxDiff(read(fixture("widergb.png")), read(png2), 8), "PNG in, PNG out: exact");
        assertArrayEquals(icc, Imaging.getIccProfileBytes(png2.toFile()));
        hasCameraExif(png2, 48, 32);
    }

    @Test
    void sixteenBitIccTaggedTiffKeepsDepthSamplesAndProfile() throws IOException {
        Path tif = denoise("widergb16.tif");
        assertEquals("widergb16.tif", tif.getFileName().toString());
        FloatImage got = read(tif);
        assertEquals(16, got.bitDepth());
        assertEquals(0, maxDiff(read(fixture("rgb16.png")), got, 16), "16-bit samples exact");
        assertArrayEquals(Imaging.getIccProfileBytes(fixture("widergb.jpg").toFile()), Images.readPhoto(tif, 1 << 20)
                .metadata().icc(), "ICC tag kept");
    }

    // ------------------------------------------------------------------------------------------------ depth, kinds

    @ParameterizedTest
    @ValueSource(strings = {"gray16.tif", "rgb16.tif", "rgba16.tif", "gray16.png", "rgb16.png", "rgba16.png"})
    void sixteenBitFilesStaySixteenBit(String name) throws IOException {
        FloatImage src = read(fixture(name));
        assertEquals(16, src.bitDepth(), name + " read at 16 bits");
        FloatImage reference = read(fixture(name.replace(".tif", ".png"))); // same OpenCV data, other container
        assertEquals(0, maxDiff(reference, src, 16), name + " = the PNG's samples");
        boolean off257 = false;
        for (float v : src.plane(0)) off257 |= Math.round(v * 65535) % 257 != 0;
        assertTrue(off257, "levels an 8-bit read could not give");
        Path o = denoise(name);
        assertEquals(name, o.getFileName().toString());
        FloatImage got = read(o);
        assertEquals(16, got.bitDepth());
        assertEquals(0, maxDiff(src, got, 16), name + " written exactly");
    }

    @ParameterizedTest
    @ValueSource(strings = {"palette-trns.png", "bilevel.png", "interlaced.png", "progressive.jpg"})
    void otherKindsComeThroughAsShown(String name) throws IOException {
        Path o = denoise(name, "--format", "png");
        String stem = name.substring(0, name.lastIndexOf('.'));
        // interlaced.png is the upright base picture, which widergb.png stores non-interlaced
        Path expect = name.equals("interlaced.png") ? fixture("widergb.png") : fixture(stem + ".expect.png");
        FloatImage e = read(expect), g = read(o);
        assertTrue(maxDiff(e, g, 8) <= 1, name + ": " + maxDiff(e, g, 8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"graya.png", "rgba.png"})
    void alphaKeptAndRefusedForJpeg(String name) throws IOException {
        Path o = denoise(name);
        assertEquals(0, maxDiff(read(fixture(name)), read(o), 8));
        Cli.Result r = Cli.run("denoise", in.resolve(name).toString(), "-o", out.resolve("x.jpg").toString(),
                "-m", "classic:identity");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("no alpha"), r.toString());
        assertFalse(Files.exists(out.resolve("x.jpg")));
    }

    @Test
    void formatContradictingTheFileNameIsAUsageError() throws IOException {
        Path src = Files.copy(fixture("orient-1.jpg"), in.resolve("a.jpg"));
        Cli.Result r = Cli.run("denoise", src.toString(), "-o", out.resolve("a.png").toString(), "--format", "jpeg",
                "-m", "classic:identity");
        assertEquals(Main.EXIT_USAGE, r.code(), r.toString());
        assertTrue(r.err().contains("--format jpeg"), r.toString());
        Cli.Result q = Cli.run("denoise", src.toString(), "-o", out.toString(), "--quality", "0", "-m", "classic:identity");
        assertEquals(Main.EXIT_USAGE, q.code(), q.toString());
        assertEquals(List.of(), Cli.files(out));
    }

    // ------------------------------------------------------------------------------------------------ hostile

    @ParameterizedTest
    @ValueSource(strings = {"exif-truncated.jpg:corrupt EXIF", "exif-absurd.jpg:claims 1073741824 bytes",
            "icc-huge.png:over the limit", "icc-lies.jpg:claims 100000000 bytes"})
    void hostileMetadataFailsInOneLineAndWritesNothing(String spec) throws IOException {
        String name = spec.substring(0, spec.indexOf(':')), fragment = spec.substring(spec.indexOf(':') + 1);
        Path src = Files.copy(fixture("hostile/" + name), in.resolve(name));
        Cli.Result r = Cli.run("denoise", src.toString(), "-o", out.toString(), "-m", "classic:identity");
        assertEquals(1, r.code(), r.toString());
        List<String> lines = r.errLines();
        assertEquals(1, lines.size(), r.toString());
        assertTrue(lines.get(0).contains(name) && lines.get(0).contains(fragment), lines.get(0));
        assertFalse(r.err().contains("\tat "), "no stack trace");
        assertEquals(List.of(), Cli.files(out), "nothing written, no temp file");
    }
}
