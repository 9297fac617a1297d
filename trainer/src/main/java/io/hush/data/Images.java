package io.hush.data;

import io.hush.image.BufferedImages;
import io.hush.image.FloatImage;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
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
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.apache.commons.imaging.ImageInfo;
import org.apache.commons.imaging.Imaging;

/**
 * Reading and writing images as {@link FloatImage}s.
 *
 * <p>Which decoder: the format is found from the first bytes, never the file name. PNG, JPEG, TIFF, BMP and GIF are
 * decoded by {@code javax.imageio} (it keeps 16-bit PNG and TIFF samples; commons-imaging 1.0.0-alpha6 reads 16-bit PNG
 * as 8-bit, rejects unsigned 16-bit TIFF and cannot decode JPEG); PNM (PBM/PGM/PPM) by commons-imaging, which has no
 * 16-bit PNM support (a 16-bit PGM comes back 8-bit). A TIFF or BMP that javax.imageio cannot decode is retried with
 * commons-imaging. GIF: the first frame.
 *
 * <p>Samples are taken raw (no colour-space or gamma conversion) and scaled by {@code 2^bits - 1} to [0,1]. Palette
 * images become gray if every palette entry is gray, RGB otherwise; bit depths below 8 are reported as 8.
 *
 * <p>Before any pixel is decoded, the dimensions in the header are checked against a pixel limit
 * ({@link #DEFAULT_MAX_PIXELS} unless told otherwise), so a decompression bomb fails fast. Every failure is an
 * {@link ImageFormatException} whose one-line message names the file. Inputs are never modified; writes go to a
 * temporary file in the destination folder that is then moved into place atomically.
 */
public final class Images {
    /** Default limit on width * height: 100 megapixels (400 MB per float plane). */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    /** Output formats. */
    public enum Format {
        PNG, TIFF;

        /** From a file name's extension (.png, .tif, .tiff); null if neither. */
        public static Format fromFileName(String name) {
            String n = name.toLowerCase(Locale.ROOT);
            if (n.endsWith(".png")) return PNG;
            if (n.endsWith(".tif") || n.endsWith(".tiff")) return TIFF;
            return null;
        }
    }

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

    /** Reads an image, refusing (before decoding) any whose header claims more than {@code maxPixels} pixels. */
    public static FloatImage read(Path file, long maxPixels) throws ImageFormatException {
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
        BufferedImage img = decode(file, kind);
        if (img.getWidth() != size[0] || img.getHeight() != size[1]) {
            throw new ImageFormatException(file, "decoded size " + img.getWidth() + "x" + img.getHeight()
                    + " differs from the header's " + size[0] + "x" + size[1]);
        }
        FloatImage out = toFloat(file, img);
        if (kind == Kind.PNM) {
            // commons-imaging hands PNM back as (A)RGB; the header says whether it was gray (P1, P2, P4, P5).
            out = out.withoutAlpha();
            if (out.channels() == 3 && pnmIsGray(file)) out = new FloatImage(out.width(), out.height(),
                    new float[][] {out.plane(0)}, null, out.bitDepth());
        }
        return out;
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
            if (kind == Kind.TIFF || kind == Kind.BMP) {
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
            BufferedImage img = r.read(0);
            // The JPEG decoder reports a truncated file only as a warning ("Premature end of JPEG file").
            if (kind == Kind.JPEG && !warnings.isEmpty()) {
                throw new ImageFormatException(file, "corrupt or truncated JPEG data (" + warnings.get(0) + ")");
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
     * Writes {@code image} as PNG or TIFF (Deflate-compressed) with 8 or 16 bits per sample, keeping alpha if present.
     * Values are clamped to [0,1] and rounded to the nearest level (NaN becomes 0). The data go to a temporary file
     * in the destination folder that is then moved over {@code file} atomically, so a reader never sees half a file.
     */
    public static void write(Path file, FloatImage image, Format format, int depth) throws ImageFormatException {
        if (depth != 8 && depth != 16) {
            throw new ImageFormatException(file, "unsupported bit depth " + depth + " for writing (8 or 16)");
        }
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new ImageFormatException(file, "folder does not exist: " + dir);
        if (Files.isDirectory(abs)) throw new ImageFormatException(file, "is a folder");
        BufferedImage img = toBuffered(image, depth);
        Path tmp = null;
        try {
            tmp = TempFiles.beside(abs);
            String name = format == Format.PNG ? "png" : "tiff";
            Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName(name);
            if (!it.hasNext()) throw new ImageFormatException(file, "no " + name + " encoder in this JDK");
            ImageWriter wr = it.next();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(tmp.toFile())) {
                wr.setOutput(out);
                ImageWriteParam param = wr.getDefaultWriteParam();
                if (format == Format.TIFF && param.canWriteCompressed()) {
                    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                    param.setCompressionType("Deflate");
                }
                wr.write(null, new IIOImage(img, null, null), param);
            } finally {
                wr.dispose();
            }
            TempFiles.moveIntoPlace(tmp, abs);
            tmp = null;
        } catch (ImageFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
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
