package io.hush.image;

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

/**
 * {@link FloatImage} to and from {@link BufferedImage}: what an embedder reading and writing images with
 * {@code javax.imageio} needs. 8- and 16-bit gray, gray+alpha, RGB and RGBA rasters keep their samples exactly
 * (k / (2^bits - 1)); palettes, packed pixels and other colour models go through 8-bit sRGB. Alpha is kept.
 */
public final class BufferedImages {
    private BufferedImages() {}

    /**
     * The image as planes of values in [0,1] with its bit depth (8 or 16) and alpha; an IllegalArgumentException
     * names what is unsupported (floating-point samples, more than 16 bits, other than 1 or 3 colour components).
     */
    public static FloatImage toFloat(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight(), n = w * h;
        ColorModel cm = img.getColorModel();
        Raster ras = img.getRaster();
        int tt = ras.getTransferType();
        if (tt == DataBuffer.TYPE_FLOAT || tt == DataBuffer.TYPE_DOUBLE) {
            throw new IllegalArgumentException("unsupported bit depth: floating-point samples");
        }
        int maxBits = 0;
        for (int s : cm.getComponentSize()) maxBits = Math.max(maxBits, s);
        if (maxBits > 16) throw new IllegalArgumentException("unsupported bit depth " + maxBits + " (8 or 16 bits per sample)");

        int csType = cm.getColorSpace().getType();
        boolean direct = (cm instanceof ComponentColorModel || cm instanceof DirectColorModel)
                && (csType == ColorSpace.TYPE_GRAY || csType == ColorSpace.TYPE_RGB);
        if (direct) {
            int colour = cm.getNumColorComponents();
            int bands = ras.getNumBands();
            if (colour != 1 && colour != 3) {
                throw new IllegalArgumentException("unsupported: " + colour + " colour components");
            }
            if (bands != cm.getNumComponents()) {
                throw new IllegalArgumentException("unsupported sample layout: " + bands + " bands for "
                        + cm.getNumComponents() + " components");
            }
            int[] sizes = cm.getComponentSize();
            float[][] planes = new float[colour][];
            for (int c = 0; c < colour; c++) planes[c] = band(ras, c, w, h, sizes[c]);
            float[] alpha = cm.hasAlpha() ? band(ras, colour, w, h, sizes[colour]) : null;
            return new FloatImage(w, h, planes, alpha, maxBits > 8 ? 16 : 8);
        }
        // Palettes, packed pixels and other colour spaces: 8-bit sRGB through the colour model.
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        boolean gray = true;
        if (cm instanceof IndexColorModel icm) {
            for (int i = 0; i < icm.getMapSize() && gray; i++) {
                gray = icm.getRed(i) == icm.getGreen(i) && icm.getGreen(i) == icm.getBlue(i);
            }
        } else {
            for (int i = 0; i < n && gray; i++) {
                int p = argb[i];
                gray = ((p >> 16) & 0xFF) == ((p >> 8) & 0xFF) && ((p >> 8) & 0xFF) == (p & 0xFF);
            }
        }
        boolean hasAlpha = cm.hasAlpha() && cm.getTransparency() != Transparency.OPAQUE;
        float[][] planes = new float[gray ? 1 : 3][n];
        float[] alpha = hasAlpha ? new float[n] : null;
        for (int i = 0; i < n; i++) {
            int p = argb[i];
            if (gray) {
                planes[0][i] = (p & 0xFF) / 255f;
            } else {
                planes[0][i] = ((p >> 16) & 0xFF) / 255f;
                planes[1][i] = ((p >> 8) & 0xFF) / 255f;
                planes[2][i] = (p & 0xFF) / 255f;
            }
            if (alpha != null) alpha[i] = (p >>> 24) / 255f;
        }
        return new FloatImage(w, h, planes, alpha, 8);
    }

    private static float[] band(Raster ras, int b, int w, int h, int bits) {
        float[] out = new float[w * h];
        int[] row = new int[w];
        float max = (1 << bits) - 1;
        for (int y = 0; y < h; y++) {
            ras.getSamples(ras.getMinX(), ras.getMinY() + y, w, 1, b, row);
            for (int x = 0; x < w; x++) out[y * w + x] = row[x] / max; // division: k/max exactly as written
        }
        return out;
    }


    /**
     * A gray/RGB (+alpha) {@link BufferedImage} with {@code depth} (8 or 16) bits per sample; values are clamped to
     * [0,1] and rounded to the nearest level (NaN becomes 0).
     */
    public static BufferedImage toBuffered(FloatImage im) {
        return toBuffered(im, im.bitDepth());
    }

    /** {@link #toBuffered(FloatImage)} at another bit depth (8 or 16). */
    public static BufferedImage toBuffered(FloatImage im, int depth) {
        if (depth != 8 && depth != 16) throw new IllegalArgumentException("bit depth must be 8 or 16, got " + depth);
        int w = im.width(), h = im.height(), colour = im.channels();
        boolean alpha = im.hasAlpha();
        int bands = colour + (alpha ? 1 : 0);
        int dataType = depth == 16 ? DataBuffer.TYPE_USHORT : DataBuffer.TYPE_BYTE;
        ColorSpace cs = ColorSpace.getInstance(colour == 1 ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB);
        int[] bits = new int[bands];
        java.util.Arrays.fill(bits, depth);
        ComponentColorModel cm = new ComponentColorModel(cs, bits, alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, dataType);
        WritableRaster ras = Raster.createInterleavedRaster(dataType, w, h, bands, null);
        int max = (1 << depth) - 1;
        int[] row = new int[w];
        for (int b = 0; b < bands; b++) {
            float[] src = b < colour ? im.plane(b) : im.alpha();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) row[x] = quantize(src[y * w + x], max);
                ras.setSamples(0, y, w, 1, b, row);
            }
        }
        return new BufferedImage(cm, ras, false, null);
    }

    /** Clamp to [0,1], scale to 0..max, round half up; NaN -> 0. */
    public static int quantize(float v, int max) {
        if (!(v > 0f)) return 0;
        if (v >= 1f) return max;
        return (int) (v * max + 0.5f);
    }
}
