package io.hush.denoise;

import java.util.Arrays;

/**
 * Runs a same-size image-to-image function (a fully-convolutional model) over an image of any size, one
 * fixed-size tile at a time, and blends the overlapping tiles into the output without visible seams.
 *
 * <p>Why it equals the untiled result: a convolutional output pixel depends only on inputs within its receptive
 * field radius r. A tile's output is therefore exact except within r of a tile edge that lies inside the image
 * (there the tile saw zero padding instead of real pixels). Neighbouring tiles overlap by {@code overlap} pixels;
 * in that band each tile's weight is 0 for the outer quarter of the band (the contaminated pixels, as long as
 * {@code overlap/4 >= r}), then ramps linearly to 1, so the weights of the two tiles sum to one and only
 * exact pixels are mixed. With a larger receptive field (a U-Net) the ramp still hides the seam. Weights are
 * separable, so the normaliser is the product of two 1-D sums and no per-pixel weight image is kept.
 *
 * <p>Memory is bounded: tiles are visited row by row and the output is accumulated in a strip of one tile height
 * times the image width; rows no later tile touches are handed to the {@link Sink} and never read again. The
 * {@link Source} is never asked for a row above the last flushed one, so a caller may write the result into the
 * very buffer it reads from (no second copy of a large image).
 *
 * <p>Every tile has the same size (the last tile of a row or column is moved back to end at the image edge), so a
 * model plans its workspace once. Tile origins and sizes are multiples of {@code align} (a U-Net with three 2x
 * poolings needs 8); an image whose size is not a multiple is extended by repeating its last row/column.
 */
public final class Tiler {

    /** Reads an in-bounds rectangle, {@code [h,w,channels]} row-major, into {@code dst}. */
    @FunctionalInterface
    public interface Source {
        void read(int x, int y, int w, int h, float[] dst);
    }

    /** Receives finished rows {@code [y, y+rows)} of the whole image width, {@code [rows,width,channels]}. */
    @FunctionalInterface
    public interface Sink {
        void write(int y, int rows, float[] data);
    }

    /** The image-to-image function: {@code in} is {@code [h,w,inChannels]}, writes {@code out} {@code [h,w,outChannels]}. */
    @FunctionalInterface
    public interface Fn {
        void apply(float[] in, int h, int w, float[] out);
    }

    /** Called after each tile with (tiles done, tiles total). */
    @FunctionalInterface
    public interface Progress {
        void update(long done, long total);
    }

    private final int width, height, inChannels, outChannels;
    private final Axis xs, ys;

    /**
     * @param tile    wanted tile side (clamped to the padded image; rounded down to a multiple of align)
     * @param overlap overlap between neighbouring tiles (rounded up to a multiple of align)
     * @param align   tile origins and sizes are multiples of this (1 for plain convolutions)
     */
    public Tiler(int width, int height, int inChannels, int outChannels, int tile, int overlap, int align) {
        if (width < 1 || height < 1) throw new IllegalArgumentException("image size " + width + "x" + height + " is empty");
        if (inChannels < 1 || outChannels < 1) throw new IllegalArgumentException("channels must be >= 1");
        if (align < 1) throw new IllegalArgumentException("align must be >= 1, got " + align);
        if (overlap < 0) throw new IllegalArgumentException("overlap must be >= 0, got " + overlap);
        int t = Math.max(tile / align * align, align);
        int m = (overlap + align - 1) / align * align;
        if (m >= t) {
            throw new IllegalArgumentException("overlap " + overlap + " must be smaller than the tile size " + tile
                    + (align > 1 ? " (both rounded to multiples of " + align + ")" : ""));
        }
        this.width = width;
        this.height = height;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.xs = new Axis(width, t, m, align);
        this.ys = new Axis(height, t, m, align);
    }

    public int tileWidth() { return xs.tile; }

    public int tileHeight() { return ys.tile; }

    /** Tile origins along x (for tests and progress). */
    public int[] originsX() { return xs.origins.clone(); }

    public long tileCount() { return (long) xs.origins.length * ys.origins.length; }

    /** Weight of tile {@code k} at position {@code i} inside it along x (tests check the partition of unity). */
    float weightX(int k, int i) { return xs.weights[k][i]; }

    float sumX(int pos) { return xs.sum[pos]; }

    float sumY(int pos) { return ys.sum[pos]; }

    /** Runs {@code fn} over every tile, writing the blended result to {@code sink} in row order. */
    public void run(Source source, Fn fn, Sink sink, Progress progress) {
        int tw = xs.tile, th = ys.tile, pw = xs.padded;
        float[] in = new float[Math.multiplyExact(tw * th, inChannels)];
        float[] out = new float[Math.multiplyExact(tw * th, outChannels)];
        // strip rows [stripY, stripY + th) x padded width, accumulated weighted outputs
        float[] strip = new float[Math.multiplyExact(Math.multiplyExact(th, pw), outChannels)];
        float[] rowsOut = new float[Math.multiplyExact(Math.multiplyExact(th, width), outChannels)];
        long done = 0, total = tileCount();
        int rowStride = pw * outChannels;
        int stripY = ys.origins[0];
        for (int j = 0; j < ys.origins.length; j++) {
            int oy = ys.origins[j];
            // shift the strip so that it starts at this tile row
            int shift = oy - stripY;
            if (shift > 0) {
                int keep = Math.max(th - shift, 0);
                if (keep > 0) System.arraycopy(strip, shift * rowStride, strip, 0, keep * rowStride);
                Arrays.fill(strip, keep * rowStride, strip.length, 0f);
                stripY = oy;
            }
            float[] wy = ys.weights[j];
            for (int i = 0; i < xs.origins.length; i++) {
                int ox = xs.origins[i];
                readPadded(source, ox, oy, tw, th, in);
                fn.apply(in, th, tw, out);
                float[] wx = xs.weights[i];
                for (int r = 0; r < th; r++) {
                    float wr = wy[r];
                    if (wr == 0f) continue;
                    int so = r * rowStride + ox * outChannels;
                    int to = r * tw * outChannels;
                    for (int c = 0; c < tw; c++) {
                        float w = wr * wx[c];
                        if (w == 0f) continue;
                        for (int k = 0; k < outChannels; k++) {
                            strip[so + c * outChannels + k] += w * out[to + c * outChannels + k];
                        }
                    }
                }
                if (progress != null) progress.update(++done, total);
            }
            // rows before the next tile row's origin are final
            int finalEnd = j + 1 < ys.origins.length ? ys.origins[j + 1] : oy + th;
            int from = stripY, to = Math.min(finalEnd, height);
            if (to > from) {
                int rows = to - from;
                for (int r = 0; r < rows; r++) {
                    float ny = ys.sum[from + r];
                    int so = r * rowStride;
                    int d = r * width * outChannels;
                    for (int c = 0; c < width; c++) {
                        float inv = 1f / (ny * xs.sum[c]);
                        for (int k = 0; k < outChannels; k++) {
                            rowsOut[d + c * outChannels + k] = strip[so + c * outChannels + k] * inv;
                        }
                    }
                }
                sink.write(from, rows, rows == th ? rowsOut : Arrays.copyOf(rowsOut, rows * width * outChannels));
            }
        }
    }

    /** Reads the tile at (x, y), repeating the last column/row for the part beyond the image. */
    private void readPadded(Source source, int x, int y, int tw, int th, float[] dst) {
        int rw = Math.min(tw, width - x), rh = Math.min(th, height - y);
        int ch = inChannels;
        if (rw == tw && rh == th) {
            source.read(x, y, tw, th, dst);
            return;
        }
        float[] part = new float[rw * rh * ch];
        source.read(x, y, rw, rh, part);
        for (int r = 0; r < th; r++) {
            int sr = Math.min(r, rh - 1);
            for (int c = 0; c < tw; c++) {
                int sc = Math.min(c, rw - 1);
                System.arraycopy(part, (sr * rw + sc) * ch, dst, (r * tw + c) * ch, ch);
            }
        }
    }

    /** Tile placement and blending weights along one axis. */
    private static final class Axis {
        final int padded, tile;
        final int[] origins;
        final float[][] weights;
        final float[] sum;

        Axis(int n, int tile, int overlap, int align) {
            padded = (n + align - 1) / align * align;
            this.tile = Math.min(tile, padded);
            if (this.tile >= padded) {
                origins = new int[] {0};
            } else {
                int stride = Math.max((this.tile - overlap) / align * align, align);
                int count = 1;
                while ((long) (count - 1) * stride + this.tile < padded) count++;
                origins = new int[count];
                for (int k = 0; k < count - 1; k++) origins[k] = k * stride;
                origins[count - 1] = padded - this.tile;
            }
            weights = new float[origins.length][this.tile];
            sum = new float[padded];
            for (int k = 0; k < origins.length; k++) {
                int before = k == 0 ? 0 : origins[k - 1] + this.tile - origins[k];
                int after = k + 1 == origins.length ? 0 : origins[k] + this.tile - origins[k + 1];
                for (int i = 0; i < this.tile; i++) {
                    float w = Math.min(ramp(i, before), ramp(this.tile - 1 - i, after));
                    weights[k][i] = w;
                    sum[origins[k] + i] += w;
                }
            }
        }

        /** Weight at distance {@code d} from a tile edge shared with a neighbour over {@code ov} pixels. */
        static float ramp(int d, int ov) {
            if (ov <= 0) return 1f;
            int dead = ov / 4;
            float span = ov - 2 * dead;
            return Math.clamp((d - dead + 0.5f) / span, 0f, 1f);
        }
    }
}
