package io.hush.denoise;

import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Per-call choices for {@link Denoiser#denoise}: an immutable value, so one instance can be shared by many threads.
 * Start from {@link #defaults()} and change what you need:
 *
 * <pre>{@code
 * DenoiseOptions o = DenoiseOptions.defaults().sigma(25 / 255f).tile(512).progress((done, total) -> ...);
 * }</pre>
 *
 * <ul>
 *   <li>{@link #sigma}: the noise standard deviation in [0,1] units, for non-blind models (a noise-level input) and
 *       classical filters; blind models ignore it. Unset: 0 for models, estimated from the image by filters.</li>
 *   <li>{@link #tile} / {@link #overlap}: tile side and overlap in pixels for large images; unset: chosen by the
 *       denoiser from its model's receptive field and the image size.</li>
 *   <li>{@link #sizeMismatch}: what a fixed-size model does with an image of another size.</li>
 *   <li>{@link #progress}: called with (steps done, steps total) while an image is processed.</li>
 * </ul>
 */
public final class DenoiseOptions {
    /** What a model that takes only one image size (a Dense bottleneck) does with other sizes. */
    public enum SizeMismatch {
        /** Refuse with an {@link IllegalArgumentException} naming both sizes (the default). */
        REFUSE,
        /** Scale the image to the model's size, denoise, and scale back. */
        RESIZE
    }

    private static final DenoiseOptions DEFAULTS = new DenoiseOptions(Float.NaN, 0, -1, SizeMismatch.REFUSE, null);

    private final float sigma;        // NaN: unset
    private final int tile;           // 0: automatic
    private final int overlap;        // -1: automatic
    private final SizeMismatch sizeMismatch;
    private final Tiler.Progress progress;

    private DenoiseOptions(float sigma, int tile, int overlap, SizeMismatch sizeMismatch, Tiler.Progress progress) {
        this.sigma = sigma;
        this.tile = tile;
        this.overlap = overlap;
        this.sizeMismatch = sizeMismatch;
        this.progress = progress;
    }

    /** Blind, automatic tiling, fixed-size models refuse other sizes, no progress listener. */
    public static DenoiseOptions defaults() { return DEFAULTS; }

    /** The noise level in [0,1] units (25/255 for sigma 25 on 0..255). */
    public DenoiseOptions sigma(float s) {
        if (!(s >= 0f) || Float.isInfinite(s)) throw new IllegalArgumentException("sigma must be finite and >= 0, got " + s);
        return new DenoiseOptions(s, tile, overlap, sizeMismatch, progress);
    }

    /** Tile side in pixels (at least 8). */
    public DenoiseOptions tile(int side) {
        if (side < 8) throw new IllegalArgumentException("tile size must be at least 8, got " + side);
        return new DenoiseOptions(sigma, side, overlap, sizeMismatch, progress);
    }

    /** Overlap between tiles in pixels (>= 0); the automatic overlap keeps tiled results equal to untiled ones. */
    public DenoiseOptions overlap(int pixels) {
        if (pixels < 0) throw new IllegalArgumentException("overlap must be >= 0, got " + pixels);
        return new DenoiseOptions(sigma, tile, pixels, sizeMismatch, progress);
    }

    public DenoiseOptions sizeMismatch(SizeMismatch m) {
        return new DenoiseOptions(sigma, tile, overlap, Objects.requireNonNull(m, "sizeMismatch"), progress);
    }

    /** Listener called with (steps done, steps total); null for none. */
    public DenoiseOptions progress(Tiler.Progress p) {
        return new DenoiseOptions(sigma, tile, overlap, sizeMismatch, p);
    }

    public OptionalDouble sigma() { return Float.isNaN(sigma) ? OptionalDouble.empty() : OptionalDouble.of(sigma); }

    /** The noise level, or {@code otherwise} when unset. */
    public float sigmaOr(float otherwise) { return Float.isNaN(sigma) ? otherwise : sigma; }

    public OptionalInt tile() { return tile == 0 ? OptionalInt.empty() : OptionalInt.of(tile); }

    public OptionalInt overlap() { return overlap < 0 ? OptionalInt.empty() : OptionalInt.of(overlap); }

    public SizeMismatch sizeMismatch() { return sizeMismatch; }

    /** The listener, or null. */
    public Tiler.Progress progress() { return progress; }

    @Override
    public String toString() {
        return "DenoiseOptions[sigma=" + (Float.isNaN(sigma) ? "unset" : sigma) + ", tile=" + (tile == 0 ? "auto" : tile)
                + ", overlap=" + (overlap < 0 ? "auto" : overlap) + ", sizeMismatch=" + sizeMismatch + "]";
    }
}
