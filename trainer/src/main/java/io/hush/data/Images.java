package io.hush.data;

import io.hush.image.BufferedImages;
import io.hush.image.FloatImage;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.apache.commons.imaging.ImageInfo;
import org.apache.commons.imaging.Imaging;

/**
 * Reading and writing images as {@link FloatImage}s, and photos with their metadata ({@link #readPhoto}).
 *
 * <p>Which decoder: the format is found from the first bytes, never the file name. PNG, JPEG, TIFF, BMP and GIF are
 * decoded by {@code javax.imageio} with the TwelveMonkeys plugins on the class path (JPEG: CMYK, YCCK, progressive;
 * TIFF: 16-bit with predictors, more compressions); PNM (PBM/PGM/PPM) by commons-imaging, which has no 16-bit PNM
 * support (a 16-bit PGM comes back 8-bit; commons-imaging 1.0.0-alpha6 also reads 16-bit PNG as 8-bit and rejects
 * unsigned 16-bit TIFF, so it is not used where depth matters). A BMP that javax.imageio cannot decode is retried
 * with commons-imaging. GIF: the first frame.
 *
 * <p>Colour: gray and RGB samples are taken as stored, in the file's own encoding (no colour-space or gamma
 * conversion; an embedded ICC profile is kept in the {@link PhotoMetadata} and written back), and scaled by
 * {@code 2^bits - 1} to [0,1]. CMYK and YCCK JPEGs (Adobe-inverted or not) and other colour spaces are converted to
 * sRGB with their embedded profile. Palette images become gray if every palette entry is gray, RGB otherwise; bit
 * depths below 8 are reported as 8. The EXIF (JPEG, PNG) or TIFF orientation is applied: pixels come back upright.
 *
 * <p>Before any pixel is decoded, the dimensions in the header are checked against a pixel limit
 * ({@link #DEFAULT_MAX_PIXELS} unless told otherwise), so a decompression bomb fails fast, and the EXIF block and
 * ICC profile are bounds-checked. Every failure is an {@link ImageFormatException} whose one-line message names the
 * file. Inputs are never modified; writes go to a temporary file in the destination folder that is then moved into
 * place atomically.
 */
public final class Images {
    /** Default limit on width * height: 100 megapixels (400 MB per float plane). */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    /** Default JPEG quality (1..100, IJG scale) when writing JPEG: high, for a picture that was just cleaned. */
    public static final int DEFAULT_JPEG_QUALITY = 95;

    /** Output formats. */
    public enum Format {
        /** PNG: 8 or 16 bits, gray/RGB with or without alpha, lossless; EXIF in eXIf, ICC profile in iCCP. */
        PNG,
        /** TIFF (Deflate): 8 or 16 bits, gray/RGB with or without alpha, lossless; EXIF and ICC profile as tags. */
        TIFF,
        /** JPEG (baseline, 4:4:4): 8 bits, gray or RGB, no alpha; EXIF in APP1, ICC profile in APP2. */
        JPEG;

        /** From a file name's extension (.png, .tif, .tiff, .jpg, .jpeg); null if none of these. */
        public static Format fromFileName(String name) {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.endsWith(".png")) return PNG;
            if (n.endsWith(".tif") || n.endsWith(".tiff")) return TIFF;
            if (n.endsWith(".jpg") || n.endsWith(".jpeg")) return JPEG;
            return null;
        }

        /** The usual file extension, with its dot. */
        public String extension() {
            return switch (this) {
                case PNG -> ".png";
                case TIFF -> ".tif";
                case JPEG -> ".jpg";
            };
        }
    }

    /** Pixels turned upright and the metadata to write back with them. */
    public record Photo(FloatImage image, PhotoMetadata metadata) {}

    /** Input formats recognised by their magic bytes. */
    enum Kind { PNG, JPEG, TIFF, BMP, GIF, PNM }

    static {
        ImageIO.setUseCache(false); // no temp files while decoding
    }

    private Images() {}

    /** Reads an image with the default pixel limit. */
    public static FloatImage read(Path file) throws ImageFormatException {
        return read(file, DEFAULT_MAX_PIXELS);
    }

    /**
     * Reads an image, refusing (before decoding) any whose header claims more than {@code maxPixels} pixels. The
     * pixels are turned upright by the EXIF orientation, as {@link #readPhoto} does.
     */
    public static FloatImage read(Path file, long maxPixels) throws ImageFormatException {
        return readPhoto(file, maxPixels).image();
    }

    /**
     * Reads an image and its metadata: the pixels turned upright by the EXIF/TIFF orientation, in the file's own
     * gray/RGB encoding (CMYK and YCCK JPEGs, and other colour spaces, converted to sRGB with their embedded profile),
     * and the {@link PhotoMetadata} (EXIF, ICC profile, format) to write back with the result. The EXIF block and ICC
     * profile are checked first: a truncated or lying one fails here with one line.
     */
    public static Photo readPhoto(Path file, long maxPixels) throws ImageFormatException {
        Kind kind = detect(file);
        long[] size = headerSize(file, kind);
        if (size[0] <= 0 || size[1] <= 0) {
            throw new ImageFormatException(file, "invalid size " + size[0] + "x" + size[1] + " in the " + kind + " header");
        }
        if (size[0] * size[1] > maxPixels) {
            throw new ImageFormatException(file, String.format(Locale.ROOT,
                    "too large: the header claims %dx%d = %d pixels, over the limit of %d", size[0], size[1],
                    size[0] * size[1], maxPixels));
        }
        PhotoFiles.Found found = PhotoFiles.read(file, kind);
        BufferedImage img = decode(file, kind);
        if (img.getWidth() != size[0] || img.getHeight() != size[1]) {
            throw new ImageFormatException(file, "decoded size " + img.getWidth() + "x" + img.getHeight()
                    + " differs from the header's " + size[0] + "x" + size[1]);
        }
        byte[] icc = found.icc();
        String conversion = null;
        ColorSpace decodedCs = img.getColorModel().getColorSpace();
        if (kind == Kind.JPEG && found.adobeColour() != null && decodedCs.getType() == ColorSpace.TYPE_CMYK) {
            // Wanted: ink amounts (0 = none). With a profile the reader hands them over taking every CMYK JPEG as
            // Adobe-inverted, so a file without the Adobe segment comes back inverted; without a profile it hands
            // over the stored samples, which an Adobe file has inverted.
            boolean readerInverted = decodedCs instanceof java.awt.color.ICC_ColorSpace;
            if (readerInverted != found.adobeInverted()) invert(img.getRaster());
        }
        int csType = img.getColorModel().getColorSpace().getType();
        if (csType != ColorSpace.TYPE_RGB && csType != ColorSpace.TYPE_GRAY && !(img.getColorModel() instanceof IndexColorModel)) {
            img = toSrgb(file, img); // CMYK TIFF, Lab...: the samples are not in a gray/RGB encoding
            csType = ColorSpace.TYPE_RGB;
            conversion = "colours converted to sRGB" + (icc != null ? " with the embedded ICC profile" : "");
        }
        if (kind == Kind.JPEG && found.adobeColour() != null) {
            conversion = found.adobeColour() + (found.adobeInverted() ? " (Adobe-inverted)" : "") + " converted to sRGB "
                    + (icc != null ? "with the embedded ICC profile" : "(no profile embedded: plain CMYK to RGB)");
        }
        FloatImage out = toFloat(file, img);
        if (conversion != null || icc != null && !profileFits(icc, out.channels())) icc = null;
        if (kind == Kind.PNM) {
            // commons-imaging hands PNM back as (A)RGB; the header says whether it was gray (P1, P2, P4, P5).
            out = out.withoutAlpha();
            if (out.channels() == 3 && pnmIsGray(file)) out = new FloatImage(out.width(), out.height(),
                    new float[][] {out.plane(0)}, null, out.bitDepth());
        }
        out = found.orientation().upright(out);
        Format back = switch (kind) {
            case JPEG -> Format.JPEG;
            case TIFF -> Format.TIFF;
            default -> Format.PNG;
        };
        return new Photo(out, new PhotoMetadata(back, found.orientation(), found.exif(), icc, conversion));
    }

    private static void invert(WritableRaster r) {
        int[] row = new int[r.getWidth() * r.getNumBands()];
        int max = (1 << r.getSampleModel().getSampleSize(0)) - 1;
        for (int y = 0; y < r.getHeight(); y++) {
            r.getPixels(r.getMinX(), r.getMinY() + y, r.getWidth(), 1, row);
            for (int i = 0; i < row.length; i++) row[i] = max - row[i];
            r.setPixels(r.getMinX(), r.getMinY() + y, r.getWidth(), 1, row);
        }
    }

    /**
     * Whether an ICC profile describes the decoded samples: a gray profile for gray, an RGB one for RGB (palette
     * entries included); otherwise (a mislabelled file) the profile is not written back.
     */
    private static boolean profileFits(byte[] icc, int channels) {
        int type = ICC_Profile.getInstance(icc).getColorSpaceType();
        return type == (channels == 1 ? ColorSpace.TYPE_GRAY : ColorSpace.TYPE_RGB);
    }

    /**
     * Any other colour space (CMYK, Lab) to 8- or 16-bit sRGB through its colour model's profile; CMYK without a
     * profile by the plain formula {@code R = (1 - C)(1 - K)} (as Pillow and the TwelveMonkeys reader do).
     */
    private static BufferedImage toSrgb(Path file, BufferedImage img) throws ImageFormatException {
        ColorSpace cs = img.getColorModel().getColorSpace();
        if (!(cs instanceof java.awt.color.ICC_ColorSpace) && cs.getType() == ColorSpace.TYPE_CMYK
                && img.getRaster().getNumBands() == 4 && img.getRaster().getTransferType() == DataBuffer.TYPE_BYTE) {
            int w = img.getWidth(), h = img.getHeight();
            BufferedImage dst = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
            Raster src = img.getRaster();
            WritableRaster out = dst.getRaster();
            int[] px = new int[4 * w], rgb = new int[3 * w];
            for (int y = 0; y < h; y++) {
                src.getPixels(src.getMinX(), src.getMinY() + y, w, 1, px);
                for (int x = 0; x < w; x++) {
                    int k = 255 - px[4 * x + 3];
                    for (int c = 0; c < 3; c++) rgb[3 * x + c] = Math.round((255 - px[4 * x + c]) * k / 255f);
                }
                out.setPixels(0, y, w, 1, rgb);
            }
            return dst;
        }
        try {
            int bits = 0;
            for (int b : img.getColorModel().getComponentSize()) bits = Math.max(bits, b);
            boolean alpha = img.getColorModel().hasAlpha();
            int dataType = bits > 8 ? DataBuffer.TYPE_USHORT : DataBuffer.TYPE_BYTE;
            int[] sizes = new int[alpha ? 4 : 3];
            java.util.Arrays.fill(sizes, bits > 8 ? 16 : 8);
            ColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), sizes, alpha, false,
                    alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, dataType);
            BufferedImage dst = new BufferedImage(cm, cm.createCompatibleWritableRaster(img.getWidth(), img.getHeight()),
                    false, null);
            new java.awt.image.ColorConvertOp(null).filter(img, dst);
            return dst;
        } catch (RuntimeException e) {
            throw new ImageFormatException(file, "cannot convert its colour space to sRGB", e);
        }
    }

    private static boolean pnmIsGray(Path file) throws ImageFormatException {
        try (InputStream in = Files.newInputStream(file)) {
            in.read();
            int m = in.read();
            return m == '1' || m == '2' || m == '4' || m == '5';
        } catch (IOException e) {
            throw new ImageFormatException(file, "cannot read", e);
        }
    }

    /**
     * The format that keeps {@code file}'s own when written back: JPEG, TIFF, or PNG for everything else (PNG, BMP,
     * GIF, PNM), found from the first bytes (from the name if the file cannot be read: the problem is reported when
     * it is).
     */
    public static Format writeBackFormat(Path file) {
        Kind kind;
        try {
            kind = detect(file);
        } catch (ImageFormatException e) {
            Format f = Format.fromFileName(file.getFileName() == null ? "" : file.getFileName().toString());
            return f == null ? Format.PNG : f;
        }
        return kind == Kind.JPEG ? Format.JPEG : kind == Kind.TIFF ? Format.TIFF : Format.PNG;
    }

    /** The image size {@code {width, height}} from the header only, without decoding pixels. */
    public static long[] size(Path file) throws ImageFormatException {
        return headerSize(file, detect(file));
    }

    /** True if the file name has an extension this class reads (png, jpg, jpeg, tif, tiff, bmp, gif, pgm, ppm, pbm, pnm). */
    public static boolean isImageFileName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        if (dot < 0) return false;
        return switch (n.substring(dot + 1)) {
            case "png", "jpg", "jpeg", "tif", "tiff", "bmp", "gif", "pgm", "ppm", "pbm", "pnm" -> true;
            default -> false;
        };
    }

    // ---------------------------------------------------------------------------------------------- detection

    static Kind detect(Path file) throws ImageFormatException {
        if (!Files.exists(file)) throw new ImageFormatException(file, "no such file");
        if (Files.isDirectory(file)) throw new ImageFormatException(file, "is a folder, not an image");
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(8);
        } catch (IOException e) {
            throw new ImageFormatException(file, "cannot read", e);
        }
        if (head.length == 0) throw new ImageFormatException(file, "empty file");
        int[] b = new int[8];
        for (int i = 0; i < head.length; i++) b[i] = head[i] & 0xFF;
        if (head.length >= 8 && b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') return Kind.PNG;
        if (head.length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return Kind.JPEG;
        if (head.length >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0)
                || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42))) return Kind.TIFF;
        if (head.length >= 2 && b[0] == 'B' && b[1] == 'M') return Kind.BMP;
        if (head.length >= 4 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') return Kind.GIF;
        if (head.length >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') return Kind.PNM;
        if (head.length >= 4 && b[0] == 'I' && b[1] == 'I' && b[2] == 43) {
            throw new ImageFormatException(file, "unsupported format: BigTIFF");
        }
        throw new ImageFormatException(file, "not an image in a supported format (PNG, JPEG, TIFF, BMP, GIF, PNM)");
    }

    private static String imageIoName(Kind kind) {
        return switch (kind) {
            case PNG -> "png";
            case JPEG -> "jpeg";
            case TIFF -> "tiff";
            case BMP -> "bmp";
            case GIF -> "gif";
            case PNM -> throw new IllegalStateException("PNM is read by commons-imaging");
        };
    }

    private static ImageReader reader(Path file, Kind kind) throws ImageFormatException {
        Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(imageIoName(kind));
        if (!it.hasNext()) throw new ImageFormatException(file, "unsupported format: no decoder for " + kind);
        return it.next();
    }

    // ---------------------------------------------------------------------------------------------- header

    private static long[] headerSize(Path file, Kind kind) throws ImageFormatException {
        if (kind == Kind.PNM) {
            try {
                ImageInfo info = Imaging.getImageInfo(file.toFile());
                return new long[] {info.getWidth(), info.getHeight()};
            } catch (IOException | RuntimeException e) {
                throw new ImageFormatException(file, "corrupt or truncated PNM header", e);
            }
        }
        ImageReader r = reader(file, kind);
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            r.setInput(in, true, true);
            return new long[] {r.getWidth(0), r.getHeight(0)};
        } catch (IOException | RuntimeException e) {
            throw new ImageFormatException(file, "corrupt or truncated " + kind + " header", e);
        } finally {
            r.dispose();
        }
    }

    // ---------------------------------------------------------------------------------------------- decode

    private static BufferedImage decode(Path file, Kind kind) throws ImageFormatException {
        if (kind == Kind.PNM) return decodeImaging(file, kind);
        try {
            return decodeImageIo(file, kind);
        } catch (ImageFormatException e) {
            if (kind == Kind.BMP) { // not TIFF: commons-imaging would read a 16-bit TIFF as 8-bit without a word
                try {
                    return decodeImaging(file, kind);
                } catch (ImageFormatException ignored) {
                    // report the first decoder's problem
                }
            }
            throw e;
        }
    }

    private static BufferedImage decodeImageIo(Path file, Kind kind) throws ImageFormatException {
        ImageReader r = reader(file, kind);
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            r.setInput(in, true, true);
            r.addIIOReadWarningListener((src, w) -> warnings.add(w));
            // Gray and RGB samples as stored, in the file's own encoding (the TwelveMonkeys JPEG reader would
            // otherwise convert an ICC-tagged RGB picture to sRGB); CMYK/YCCK take the reader's sRGB conversion.
            ImageReadParam param = r.getDefaultReadParam();
            ImageTypeSpecifier raw = kind == Kind.JPEG || kind == Kind.TIFF ? r.getRawImageType(0) : null;
            if (raw != null) {
                int t = raw.getColorModel().getColorSpace().getType();
                // CMYK too: the reader's raw CMYK (ink amounts, Adobe inversion undone) is converted below with
                // the embedded profile, after undoing the reader's inversion of files without an Adobe segment.
                if (t == ColorSpace.TYPE_RGB || t == ColorSpace.TYPE_GRAY || t == ColorSpace.TYPE_CMYK) {
                    param.setDestinationType(raw);
                }
            }
            BufferedImage img = r.read(0, param);
            // The JPEG decoder reports a truncated file only as a warning ("Premature end of JPEG file"). Other
            // warnings (the TwelveMonkeys reader's notes on ICC profiles and CMYK conversion) are not failures.
            for (String w : warnings) {
                String lw = w.toLowerCase(Locale.ROOT);
                if (kind == Kind.JPEG && (lw.contains("premature") || lw.contains("corrupt") || lw.contains("truncat"))) {
                    throw new ImageFormatException(file, "corrupt or truncated JPEG data (" + w + ")");
                }
            }
            return img;
        } catch (ImageFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            String what = e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("unsupported")
                    ? "unsupported " + kind + " variant" : "corrupt or truncated " + kind + " data";
            throw new ImageFormatException(file, what, e);
        } finally {
            r.dispose();
        }
    }

    private static BufferedImage decodeImaging(Path file, Kind kind) throws ImageFormatException {
        try {
            BufferedImage img = Imaging.getBufferedImage(file.toFile());
            if (img == null) throw new ImageFormatException(file, "corrupt " + kind + " data (no image decoded)");
            return img;
        } catch (ImageFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageFormatException(file, "corrupt, truncated or unsupported " + kind + " data", e);
        }
    }

    // ---------------------------------------------------------------------------------------------- to floats

    static FloatImage toFloat(Path file, BufferedImage img) throws ImageFormatException {
        try {
            return BufferedImages.toFloat(img);
        } catch (IllegalArgumentException e) {
            throw new ImageFormatException(file, e.getMessage());
        }
    }

    // ---------------------------------------------------------------------------------------------- write

    /**
     * Writes {@code image} as PNG or TIFF (Deflate-compressed) with 8 or 16 bits per sample, keeping alpha if present,
     * or as JPEG at {@link #DEFAULT_JPEG_QUALITY}. Values are clamped to [0,1] and rounded to the nearest level (NaN
     * becomes 0). The data go to a temporary file in the destination folder that is then moved over {@code file}
     * atomically, so a reader never sees half a file.
     */
    public static void write(Path file, FloatImage image, Format format, int depth) throws ImageFormatException {
        write(file, image, format, depth, PhotoMetadata.NONE, DEFAULT_JPEG_QUALITY);
    }

    /**
     * Writes {@code image} (upright pixels, in the encoding {@code meta} describes) with {@code meta}'s EXIF block
     * (orientation 1, see {@link PhotoMetadata#uprightExif()}) and ICC profile. PNG and TIFF keep {@code depth} (8 or
     * 16) and alpha; JPEG is 8-bit, baseline, 4:4:4 (no chroma subsampling) at {@code quality} (1..100, IJG scale) and
     * refuses an image with alpha. Atomic as {@link #write(Path, FloatImage, Format, int)}.
     */
    public static void write(Path file, FloatImage image, Format format, int depth, PhotoMetadata meta, int quality)
            throws ImageFormatException {
        if (depth != 8 && depth != 16) {
            throw new ImageFormatException(file, "unsupported bit depth " + depth + " for writing (8 or 16)");
        }
        if (quality < 1 || quality > 100) throw new ImageFormatException(file, "JPEG quality " + quality + " (1..100)");
        if (format == Format.JPEG) {
            if (image.hasAlpha()) {
                throw new ImageFormatException(file, "JPEG has no alpha channel: write PNG or TIFF to keep transparency");
            }
            depth = 8;
        }
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new ImageFormatException(file, "folder does not exist: " + dir);
        if (Files.isDirectory(abs)) throw new ImageFormatException(file, "is a folder");
        byte[] exif = meta.uprightExif(), icc = meta.icc();
        if (format == Format.JPEG && exif != null && exif.length > PhotoFiles.MAX_JPEG_EXIF) {
            throw new ImageFormatException(file, "EXIF block of " + exif.length + " bytes does not fit a JPEG APP1 segment"
                    + " (64 KB): write PNG or TIFF to keep it");
        }
        BufferedImage img = toBuffered(image, depth);
        Path tmp = null;
        try {
            byte[] encoded = encode(file, img, format, quality);
            byte[] bytes = switch (format) {
                case JPEG -> PhotoFiles.jpegWith(encoded, exif, icc);
                case PNG -> PhotoFiles.pngWith(encoded, exif, icc);
                case TIFF -> PhotoFiles.tiffWith(encoded, exif, icc);
            };
            tmp = TempFiles.beside(abs);
            Files.write(tmp, bytes);
            TempFiles.moveIntoPlace(tmp, abs);
            tmp = null;
        } catch (ImageFormatException e) {
            throw e;
        } catch (IOException | RuntimeException | TiffIfd.BadTiffException e) {
            throw new ImageFormatException(file, "cannot write " + format, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    /** The encoder's bytes, no metadata yet. TIFF and JPEG use the JDK's own writers (not a plugin's). */
    private static byte[] encode(Path file, BufferedImage img, Format format, int quality) throws IOException {
        String name = switch (format) {
            case PNG -> "png";
            case TIFF -> "tiff";
            case JPEG -> "jpeg";
        };
        ImageWriter wr = null;
        for (Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName(name); it.hasNext(); ) {
            ImageWriter w = it.next();
            if (wr == null || w.getClass().getName().startsWith("com.sun.imageio.")) wr = w;
        }
        if (wr == null) throw new ImageFormatException(file, "no " + name + " encoder in this JDK");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            wr.setOutput(out);
            ImageWriteParam param = wr.getDefaultWriteParam();
            javax.imageio.metadata.IIOMetadata md = null;
            if (format == Format.TIFF && param.canWriteCompressed()) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionType("Deflate");
            } else if (format == Format.JPEG) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality / 100f);
                md = wr.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), param);
                fullChroma(md);
            }
            wr.write(null, new IIOImage(img, null, md), param);
        } finally {
            wr.dispose();
        }
        return bytes.toByteArray();
    }

    /** Sets every component of the JDK JPEG writer's metadata to 1x1 sampling: 4:4:4, no chroma halved. */
    private static void fullChroma(javax.imageio.metadata.IIOMetadata md) throws IOException {
        String f = "javax_imageio_jpeg_image_1.0";
        org.w3c.dom.Node root = md.getAsTree(f);
        org.w3c.dom.NodeList comps = ((org.w3c.dom.Element) root).getElementsByTagName("componentSpec");
        for (int i = 0; i < comps.getLength(); i++) {
            org.w3c.dom.Element c = (org.w3c.dom.Element) comps.item(i);
            c.setAttribute("HsamplingFactor", "1");
            c.setAttribute("VsamplingFactor", "1");
        }
        md.setFromTree(f, root);
    }

    /** {@link #write(Path, FloatImage, Format, int)} with the image's own bit depth. */
    public static void write(Path file, FloatImage image, Format format) throws ImageFormatException {
        write(file, image, format, image.bitDepth());
    }

    static BufferedImage toBuffered(FloatImage im, int depth) {
        return BufferedImages.toBuffered(im, depth);
    }

    static int quantize(float v, int max) {
        return BufferedImages.quantize(v, max);
    }
}
