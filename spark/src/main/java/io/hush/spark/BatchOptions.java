package io.hush.spark;

import io.hush.data.Images;
import io.hush.denoise.DenoiseOptions;

import java.io.Serializable;
import java.util.Locale;

/**
 * How {@link HushSpark#denoise} treats each image: the per-image choices of {@code hush denoise} (tile, overlap,
 * noise level, pixel limit, resizing for fixed-size models) plus how many images one Spark task denoises at once.
 * Immutable and {@link Serializable} (it travels to the executors with the task); start from {@link #defaults()}.
 */
public final class BatchOptions implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final BatchOptions DEFAULTS = new BatchOptions(1, 0, -1, Float.NaN, Images.DEFAULT_MAX_PIXELS, false);

    private final int threadsPerTask;
    private final int tile;          // 0: the model's default
    private final int overlap;       // -1: from the receptive field
    private final float sigma;       // 0..255 scale; NaN: estimated per image (models with a noise-level input)
    private final long maxPixels;
    private final boolean resize;

    private BatchOptions(int threadsPerTask, int tile, int overlap, float sigma, long maxPixels, boolean resize) {
        this.threadsPerTask = threadsPerTask;
        this.tile = tile;
        this.overlap = overlap;
        this.sigma = sigma;
        this.maxPixels = maxPixels;
        this.resize = resize;
    }

    /** One image at a time per task, the model's tiling, sigma estimated, {@link Images#DEFAULT_MAX_PIXELS}, no resize. */
    public static BatchOptions defaults() { return DEFAULTS; }

    /**
     * Images one task denoises at the same time, each on its own thread, all sharing the executor's one model
     * (default 1: Spark already runs one task per executor core). Raise it together with {@code spark.task.cpus}.
     */
    public BatchOptions threadsPerTask(int n) {
        if (n < 1) throw new IllegalArgumentException("threads per task must be >= 1, got " + n);
        return new BatchOptions(n, tile, overlap, sigma, maxPixels, resize);
    }

    /** Tile side in pixels for fully-convolutional models (as {@code hush denoise --tile}); 0 for the model's default. */
    public BatchOptions tile(int side) {
        if (side != 0 && side < 8) throw new IllegalArgumentException("tile must be >= 8 (or 0 for the default), got " + side);
        return new BatchOptions(threadsPerTask, side, overlap, sigma, maxPixels, resize);
    }

    /** Overlap between tiles in pixels, or -1 for 4x the model's receptive-field radius (as {@code --overlap auto}). */
    public BatchOptions overlap(int pixels) {
        if (pixels < -1) throw new IllegalArgumentException("overlap must be >= 0 (or -1 for auto), got " + pixels);
        return new BatchOptions(threadsPerTask, tile, pixels, sigma, maxPixels, resize);
    }

    /**
     * Noise standard deviation on the 0..255 scale for models with a noise-level input, or NaN to estimate it from
     * each image (blind models ignore it).
     */
    public BatchOptions sigma(float sigma255) {
        if (!Float.isNaN(sigma255) && !(sigma255 >= 0f && sigma255 <= 255f)) {
            throw new IllegalArgumentException("sigma must be in 0..255 (or NaN to estimate it), got " + sigma255);
        }
        return new BatchOptions(threadsPerTask, tile, overlap, sigma255, maxPixels, resize);
    }

    /** Images whose header claims more pixels are refused (an error row) before decoding. */
    public BatchOptions maxPixels(long n) {
        if (n < 1) throw new IllegalArgumentException("maxPixels must be >= 1, got " + n);
        return new BatchOptions(threadsPerTask, tile, overlap, sigma, n, resize);
    }

    /** Let a fixed-size model take other sizes by scaling to its size and back (as {@code --resize}). */
    public BatchOptions resize(boolean on) {
        return new BatchOptions(threadsPerTask, tile, overlap, sigma, maxPixels, on);
    }

    public int threadsPerTask() { return threadsPerTask; }

    public int tile() { return tile; }

    public int overlap() { return overlap; }

    /** The fixed noise level (0..255), or NaN: estimated per image. */
    public float sigma() { return sigma; }

    public long maxPixels() { return maxPixels; }

    public boolean resize() { return resize; }

    /** The engine's per-call options for one image whose noise level is {@code sigma01} (0..1 scale). */
    DenoiseOptions forImage(float sigma01) {
        DenoiseOptions o = DenoiseOptions.defaults().sigma(sigma01);
        if (tile > 0) o = o.tile(tile);
        if (overlap >= 0) o = o.overlap(overlap);
        if (resize) o = o.sizeMismatch(DenoiseOptions.SizeMismatch.RESIZE);
        return o;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "BatchOptions[threadsPerTask=%d, tile=%s, overlap=%s, sigma=%s, maxPixels=%d, resize=%b]",
                threadsPerTask, tile == 0 ? "default" : tile, overlap < 0 ? "auto" : overlap,
                Float.isNaN(sigma) ? "auto" : sigma, maxPixels, resize);
    }
}
