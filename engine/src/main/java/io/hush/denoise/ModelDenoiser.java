package io.hush.denoise;

import io.hush.image.FloatImage;
import io.hush.engine.Model;
import io.hush.engine.ModelCard;
import io.hush.engine.Shape;
import io.hush.engine.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Denoises whole images with a model, whatever their size and channel count.
 *
 * <ul>
 *   <li>A fully-convolutional model (it accepts other sizes than the one it was built with) runs on the whole image
 *       in one pass when that pass fits the {@link #memoryBudget(long) memory budget} (default
 *       {@value #DEFAULT_MEMORY_BUDGET} bytes: the model's workspace, sized from its activation shapes at the image's
 *       size, plus this class's buffers; see {@link #passBytes}). A larger image runs on equal tiles through
 *       {@link Tiler}, one colour pass at a time, writing the result back into the image's own planes: the tile side
 *       is the one, among those whose pass fits the budget, that covers the image with the fewest pixels computed
 *       (tiles overlap by 4x the receptive radius, so fewer, larger tiles waste less). Memory is then the image plus
 *       one strip of tiles, whatever the image size. Same-size images and tiles reuse the model's workspace plan.</li>
 *   <li>A fixed-size model (a Dense bottleneck) takes only its own size; other sizes are refused with a message,
 *       or with {@code resize} scaled to the model's size and back.</li>
 *   <li>A gray model (1 channel) runs on each colour channel of an RGB image; a colour model (3 channels) on all
 *       three at once (a gray image is given to it as three equal channels and the result averaged). Alpha is
 *       never touched.</li>
 *   <li>A model whose input has one channel more than it denoises (FFDNet-style) gets a constant noise-level map
 *       as that last channel: {@code sigma} in its value range.</li>
 * </ul>
 *
 * Pixel values are mapped from [0,1] to the model's value range ({@link ModelCard.InputContract}, default 0..1).
 *
 * <p>Thread-safe: {@link #denoise} may run from many threads at once on one instance (the model's inference is
 * thread-safe and this class keeps no per-call state). Configure {@link #tile(int)}, {@link #overlap(int)} and
 * {@link #name(String)} before sharing it; per-call choices go through {@link DenoiseOptions}.
 */
public final class ModelDenoiser implements Denoiser {
    /**
     * The tile side of earlier versions (a 256x256 tile of a 64-channel network is 16 MB per activation). Tiles now
     * follow the {@link #memoryBudget(long) memory budget}; this side is only the smallest one the automatic choice
     * considers for a model with an unbounded receptive field.
     */
    public static final int DEFAULT_TILE = 256;
    /**
     * Default memory budget of one model pass (1 GiB): an image whose whole-image pass needs more is tiled. DnCNN (64
     * channels) needs about 0.5 KB per pixel, so up to about 2 megapixels run in one pass.
     */
    public static final long DEFAULT_MEMORY_BUDGET = 1L << 30;
    /** Smallest budget {@link #memoryBudget(long)} accepts. */
    static final long MIN_MEMORY_BUDGET = 1L << 20;
    /** Most pixels {@link #denoiseAll} puts in one batch (256 MNIST digits; activations stay under ~100 MB). */
    static final int BATCH_PIXELS = 1 << 18;

    private final Model model;
    private final int channels;        // image channels the model denoises: 1 or 3
    private final boolean sigmaInput;  // one extra input channel carrying the noise level
    private final boolean anySize;
    private final int align;           // tile sizes/origins multiple (2^poolings)
    private final int fixedH, fixedW;  // the only size a fixed-size model takes
    private final boolean flat;        // the model takes [F] vectors (a dense model)
    private final float vmin, vmax;
    private final boolean residual;    // the model outputs the noise: clean = input - output
    private final boolean ownsModel;   // close() closes the model (opened by Denoiser.open)
    private volatile int tile = DEFAULT_TILE;
    private volatile boolean tileExplicit;
    private volatile int overlap = -1; // -1: from the measured receptive field
    private volatile int radius = -2;  // -2: not measured yet; -1: unbounded (a global layer)
    private volatile long memoryBudget = defaultMemoryBudget();
    private volatile String name = "model";

    private ModelDenoiser(Model model, boolean ownsModel) {
        this.model = model;
        this.ownsModel = ownsModel;
        Shape in = model.inputShape();
        ModelCard.InputContract contract = model.card().input();
        vmin = contract != null && contract.valueMax() > contract.valueMin() ? contract.valueMin() : 0f;
        vmax = contract != null && contract.valueMax() > contract.valueMin() ? contract.valueMax() : 1f;
        residual = predictsNoise(model);
        int cin;
        if (in.rank() == 3) {
            flat = false;
            cin = in.dim(2);
            fixedH = in.dim(0);
            fixedW = in.dim(1);
        } else if (in.rank() == 1) {
            flat = true;
            int f = in.dim(0);
            int c = contract != null && contract.channels() > 0 ? contract.channels() : 0;
            if (contract != null && !contract.anySize() && contract.height() > 0 && contract.width() > 0) {
                fixedH = contract.height();
                fixedW = contract.width();
                cin = f / (fixedH * fixedW);
            } else {
                cin = c > 0 ? c : isSquare(f) ? 1 : isSquare(f / 3) && f % 3 == 0 ? 3 : 0;
                if (cin == 0) throw new IllegalArgumentException("model takes vectors of " + f
                        + " values, which is no square image (and its card gives no image size)");
                int side = (int) Math.round(Math.sqrt(f / (double) cin));
                fixedH = side;
                fixedW = side;
            }
            if ((long) fixedH * fixedW * cin != f) {
                throw new IllegalArgumentException("model takes vectors of " + f + " values, not a " + fixedH + "x"
                        + fixedW + " image");
            }
        } else {
            throw new IllegalArgumentException("model input " + in + " is not an image [H,W,C] or a vector [F]");
        }
        if (cin == 1 || cin == 3) {
            channels = cin;
            sigmaInput = false;
        } else if (cin == 2 || cin == 4) {
            channels = cin - 1;
            sigmaInput = true;
        } else {
            throw new IllegalArgumentException("model takes " + cin + " input channels; a denoiser takes 1 (gray) or 3"
                    + " (RGB), plus optionally a noise-level channel");
        }
        Shape out = model.outputShape();
        int cout = flat ? (int) (out.size() / ((long) fixedH * fixedW)) : out.dim(-1);
        if (flat ? out.size() != (long) fixedH * fixedW * channels : (out.rank() != 3 || cout != channels
                || out.dim(0) != fixedH || out.dim(1) != fixedW)) {
            throw new IllegalArgumentException("model maps " + in + " to " + out + "; a denoiser returns an image of"
                    + " its input's size with " + channels + " channel(s)");
        }
        int a = flat ? 0 : probeAlign(model, cin, channels);
        if (a > 0 && contract != null && contract.sizeMultiple() > a) a = contract.sizeMultiple();
        anySize = a > 0;
        align = Math.max(a, 1);
    }

    /**
     * Whether the model outputs the noise rather than the clean image (a network trained "residually", DnCNN-style,
     * without the subtraction inside the graph): the card's {@link ModelCard#output()} when it is recorded; for older
     * files, metadata {@code hush.output = residual}, or a model trained by io.hush.train with {@code residual = true}
     * (its card keeps the training config).
     */
    static boolean predictsNoise(Model m) {
        if (m.card().output() != ModelCard.Output.UNKNOWN) return m.card().output() == ModelCard.Output.NOISE;
        java.util.Map<String, String> x = m.card().extra();
        String out = x.get("hush.output");
        if (out != null) return out.equalsIgnoreCase("residual") || out.equalsIgnoreCase("noise");
        String cfg = x.get("train.config");
        return cfg != null && cfg.lines().anyMatch(l -> l.replace(" ", "").equalsIgnoreCase("residual=true"));
    }

    /** Analyses a model; an IllegalArgumentException says why it cannot denoise images. */
    public static ModelDenoiser of(Model model) {
        return new ModelDenoiser(model, false);
    }

    /** A denoiser that owns {@code model}: {@link #close()} closes it (an unusable model is closed at once). */
    static ModelDenoiser owning(Model model, String name) {
        try {
            ModelDenoiser d = new ModelDenoiser(model, true);
            d.name = name;
            return d;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Closes the model if this denoiser opened it ({@link Denoiser#open}); otherwise the caller closes it. */
    @Override
    public void close() {
        if (ownsModel) model.close();
    }

    private static boolean isSquare(int n) {
        int s = (int) Math.round(Math.sqrt(n));
        return n > 0 && s * s == n;
    }

    /**
     * Smallest power of two p such that the model maps every size that is a multiple of p to the same size (tested
     * on odd multiples), or 0 if there is none up to 64: the model then takes only its build size.
     */
    static int probeAlign(Model m, int cin, int cout) {
        for (int p = 1; p <= 64; p *= 2) {
            if (sameSize(m, 3 * p, 5 * p, cin, cout) && sameSize(m, 5 * p, 3 * p, cin, cout)
                    && sameSize(m, 7 * p, 7 * p, cin, cout) && sameSize(m, 9 * p, 11 * p, cin, cout)) return p;
        }
        return 0;
    }

    private static boolean sameSize(Model m, int h, int w, int cin, int cout) {
        try {
            return m.outputShape(Shape.of(h, w, cin)).equals(Shape.of(h, w, cout));
        } catch (IllegalArgumentException | ArithmeticException e) {
            return false;
        }
    }

    /**
     * Fixed tile side: images up to this size run in one pass, larger ones in tiles of this side. Without this call
     * (or a tile in the options) the side follows the {@link #memoryBudget(long) memory budget}.
     */
    public ModelDenoiser tile(int t) {
        if (t < 8) throw new IllegalArgumentException("tile size must be at least 8, got " + t);
        tile = t;
        tileExplicit = true;
        return this;
    }

    /**
     * Memory one model pass may take, in bytes (default {@link #DEFAULT_MEMORY_BUDGET}, or the system property
     * {@code hush.memoryBudget}): an image whose whole-image pass needs more runs in tiles sized to fit it. At least 1 MiB.
     */
    public ModelDenoiser memoryBudget(long bytes) {
        if (bytes < MIN_MEMORY_BUDGET) {
            throw new IllegalArgumentException("memory budget must be at least " + MIN_MEMORY_BUDGET + " bytes (1 MiB), got " + bytes);
        }
        memoryBudget = bytes;
        return this;
    }

    /**
     * The budget a new denoiser starts with: the system property {@code hush.memoryBudget} (bytes, or with a suffix
     * k, m or g: {@code -Dhush.memoryBudget=4g}), else {@link #DEFAULT_MEMORY_BUDGET}.
     */
    static long defaultMemoryBudget() {
        String p = System.getProperty("hush.memoryBudget");
        if (p == null || p.isBlank()) return DEFAULT_MEMORY_BUDGET;
        String v = p.trim().toLowerCase(Locale.ROOT);
        long unit = switch (v.charAt(v.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        try {
            long b = Math.multiplyExact(Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1)), unit);
            if (b < MIN_MEMORY_BUDGET) throw new NumberFormatException();
            return b;
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("-Dhush.memoryBudget=" + p + ": expected a size of at least 1m, e.g. 512m or 4g");
        }
    }

    /** The memory budget of one pass (see {@link #memoryBudget(long)}). */
    public long memoryBudget() { return memoryBudget; }

    /** The tile side that will be used by default (see {@link #effectiveTile(DenoiseOptions)}). */
    public int effectiveTile() {
        return effectiveTile(DenoiseOptions.defaults());
    }

    /**
     * The tile side for these options: theirs, else this denoiser's {@link #tile(int)}, else the largest square whose
     * pass fits the memory budget (for an image that is not larger in either direction; what an image too big for one
     * pass is cut into, before {@link #layout} trims the side to cover that image evenly). Images up to this side run
     * in one pass.
     */
    public int effectiveTile(DenoiseOptions o) {
        if (o.tile().isPresent()) return roundUp(o.tile().getAsInt());
        if (tileExplicit || !anySize) return tile;
        return largestFittingSide(Integer.MAX_VALUE / 4, Integer.MAX_VALUE / 4, 0);
    }

    private int roundUp(int v) {
        return (int) Math.min(Integer.MAX_VALUE / 2, ((long) v + align - 1) / align * align);
    }

    /**
     * Bytes one model pass over a padded {@code h x w} input needs while an image {@code imageW} pixels wide is
     * denoised: the model's inference plan at that size (activations sharing memory as the plan shares it, plus the
     * largest layer scratch), the input and output tensors of the pass, and the {@link Tiler}'s buffers (a tile in and
     * out, one strip of tiles the image's width). A fully-convolutional model's need grows with the pixel count.
     */
    public long passBytes(int h, int w, int imageW) {
        int cin = channels + (sigmaInput ? 1 : 0);
        Shape in = flat ? Shape.of(Math.multiplyExact(Math.multiplyExact(h, w), cin)) : Shape.of(h, w, cin);
        Shape[] s;
        try {
            s = model.nodeShapes(in);
        } catch (IllegalArgumentException | ArithmeticException e) {
            return Long.MAX_VALUE;
        }
        List<io.hush.engine.graph.Node> nodes = model.nodes();
        int n = nodes.size();
        // The inference plan's greedy reuse (graph.Plan): a buffer is free once its last reader has run.
        int[] lastUse = new int[n];
        for (int i = 0; i < n; i++) lastUse[i] = i;
        lastUse[n - 1] = n;
        for (io.hush.engine.graph.Node node : nodes) for (int src : node.inputs()) lastUse[src] = Math.max(lastUse[src], node.id());
        List<Long> free = new ArrayList<>();
        long[] slab = new long[n];
        long planned = 0, scratch = 0;
        int threads = model.threads();
        for (int i = 1; i < n; i++) {
            long bytes = s[i].size() * 4;
            int best = -1;
            for (int k = 0; k < free.size(); k++) {
                if (free.get(k) >= bytes && (best < 0 || free.get(k) < free.get(best))) best = k;
            }
            if (best >= 0) {
                slab[i] = free.remove(best);
            } else {
                slab[i] = bytes;
                planned += bytes;
            }
            int[] srcs = nodes.get(i).inputs();
            Shape[] ins = new Shape[srcs.length];
            for (int k = 0; k < srcs.length; k++) {
                ins[k] = s[srcs[k]].withBatch(1);
                if (srcs[k] > 0 && lastUse[srcs[k]] == i && slab[srcs[k]] > 0) {
                    free.add(slab[srcs[k]]);
                    slab[srcs[k]] = 0;
                }
            }
            scratch = Math.max(scratch, 4 * nodes.get(i).layer().scratchFloats(ins, s[i].withBatch(1), threads));
        }
        long tensors = 4 * (s[0].size() + s[n - 1].size());
        long tiler = 4L * ((long) h * w * (cin + channels) + 2L * h * Math.max(imageW, w) * channels);
        return planned + scratch + tensors + tiler;
    }

    /**
     * The largest side t (a multiple of {@link #align}) whose pass over {@code min(t,ph) x min(t,pw)} fits the memory
     * budget while the tiler keeps a strip {@code stripW} pixels wide (0: as wide as the tile); at least {@code align}.
     */
    private int largestFittingSide(int pw, int ph, int stripW) {
        long budget = memoryBudget;
        int lo = align, hi = roundUp(Math.max(Math.min(pw, 1 << 16), Math.min(ph, 1 << 16)));
        if (fits(hi, pw, ph, stripW, budget)) return hi;
        while (hi - lo > align) { // passBytes grows with the side: bisect on multiples of align
            int mid = (lo + hi) / 2 / align * align;
            if (mid <= lo) break;
            if (fits(mid, pw, ph, stripW, budget)) lo = mid;
            else hi = mid;
        }
        return lo;
    }

    private boolean fits(int t, int pw, int ph, int stripW, long budget) {
        int tw = Math.min(t, pw);
        return passBytes(Math.min(t, ph), tw, stripW > 0 ? stripW : tw) <= budget;
    }

    /** Tile side and overlap for one image: a whole-image pass when it fits, else the tiling that computes least. */
    record Layout(int tile, int overlap) {}

    /** How a {@code w x h} image is cut: see the class comment. Package-private for tests. */
    Layout layout(int w, int h, DenoiseOptions o) {
        if (!anySize) return new Layout(Math.max(w, h), 0);
        int pw = roundUp(w), ph = roundUp(h);
        if (o.tile().isPresent() || tileExplicit) {
            int t = effectiveTile(o);
            return pw <= t && ph <= t ? new Layout(Math.max(pw, ph), 0) : new Layout(t, overlapFor(o, t));
        }
        int fit = largestFittingSide(pw, ph, pw);
        if (fit >= pw && fit >= ph) return new Layout(Math.max(pw, ph), 0);
        // Tiles overlap: each costs its whole area, so pick the side (no larger than fits) that computes the fewest
        // pixels in all, preferring larger tiles on ties.
        long bestWork = Long.MAX_VALUE;
        int bestT = fit;
        int floor = Math.max(align, fit / 4);
        for (int t = fit; t >= floor; t -= align) {
            int ov = overlapFor(o, t);
            if (roundUpTo(ov, align) >= t / align * align) continue;
            long work = (long) tiles(pw, t, ov) * tiles(ph, t, ov) * Math.min(t, pw) * Math.min(t, ph);
            if (work < bestWork) {
                bestWork = work;
                bestT = t;
            }
        }
        return new Layout(bestT, overlapFor(o, bestT));
    }

    private static int roundUpTo(int v, int a) {
        return (v + a - 1) / a * a;
    }

    /** Tiles {@link Tiler} places along an axis of {@code padded} pixels (its Axis rule). */
    private int tiles(int padded, int t, int ov) {
        int tile = Math.min(t / align * align, padded);
        if (tile >= padded) return 1;
        int stride = Math.max((tile - roundUpTo(ov, align)) / align * align, align);
        return (int) ((padded - tile + (long) stride - 1) / stride) + 1;
    }

    /** Overlap between tiles in pixels, or -1 to derive it from the measured receptive field. */
    public ModelDenoiser overlap(int o) {
        if (o < -1) throw new IllegalArgumentException("overlap must be >= 0, got " + o);
        overlap = o;
        return this;
    }

    public Model model() { return model; }

    @Override public String name() { return name; }

    public ModelDenoiser name(String n) {
        name = n;
        return this;
    }

    @Override public boolean usesSigma() { return sigmaInput; }

    @Override public String refusal(FloatImage img, DenoiseOptions o) {
        return o.sizeMismatch() == DenoiseOptions.SizeMismatch.RESIZE ? null : refusal(img.width(), img.height());
    }

    /** Image channels the model denoises (1 gray, 3 RGB). */
    public int channels() { return channels; }

    public boolean anySize() { return anySize; }

    public int align() { return align; }

    public int fixedHeight() { return fixedH; }

    public int fixedWidth() { return fixedW; }

    /** Whether this image size can be denoised without resizing. */
    public boolean accepts(int width, int height) {
        return anySize || (width == fixedW && height == fixedH);
    }

    /** The message for an image the model cannot take at its size (null if it can). */
    public String refusal(int width, int height) {
        if (accepts(width, height)) return null;
        return String.format(Locale.ROOT, "the model takes %dx%d images only (it has a fixed-size layer) and this"
                + " image is %dx%d: pass --resize to scale it to %dx%d and back", fixedW, fixedH, width, height,
                fixedW, fixedH);
    }

    /**
     * Receptive-field radius in pixels: from the layers ({@link ReceptiveField}) when all are known, else measured by
     * pushing an impulse through the model on a random image and seeing how far the output changes (probes of 64,
     * 128 and 256 pixels); -1 if the change reaches the border of the largest probe (a global layer).
     */
    public int receptiveRadius() {
        int known = radius;
        if (known != -2) return known;
        synchronized (this) {
            if (radius == -2) radius = measureReceptiveRadius();
            return radius;
        }
    }

    private int measureReceptiveRadius() {
        if (!anySize) return -1;
        int r = ReceptiveField.radius(model);
        if (r >= 0) return r;
        for (int size = 64; size <= 256; size *= 2) {
            r = measureRadius((size + align - 1) / align * align);
            if (r >= 0) return r;
        }
        return -1;
    }

    /** Measured radius on an s x s probe, or -1 if the change reaches its border. */
    int measureRadius(int s) {
        int cin = model.inputShape().dim(-1);
        float[] x = new float[s * s * cin];
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < x.length; i++) x[i] = vmin + (vmax - vmin) * (float) rng.nextDouble();
        float[] a = run(x, s, s, cin);
        int cy = s / 2, cx = s / 2;
        for (int k = 0; k < channels; k++) x[(cy * s + cx) * cin + k] += 0.25f * (vmax - vmin);
        float[] b = run(x, s, s, cin);
        int r = 0;
        for (int y = 0; y < s; y++) {
            for (int xx = 0; xx < s; xx++) {
                for (int k = 0; k < channels; k++) {
                    int i = (y * s + xx) * channels + k;
                    if (a[i] != b[i]) r = Math.max(r, Math.max(Math.abs(y - cy), Math.abs(xx - cx)));
                }
            }
        }
        return r >= s / 2 - 1 ? -1 : r;
    }

    /** The overlap that will be used by default: the given one, or 4x the receptive radius (see {@link #overlap}). */
    public int effectiveOverlap() {
        return effectiveOverlap(DenoiseOptions.defaults());
    }

    /** The overlap for these options: theirs, this denoiser's, or 4x the receptive radius (the blend keeps exact pixels). */
    public int effectiveOverlap(DenoiseOptions o) {
        return overlapFor(o, effectiveTile(o));
    }

    /** The overlap between tiles of side {@code t}: explicit, or 4x the receptive radius (half the tile if unbounded). */
    private int overlapFor(DenoiseOptions o, int t) {
        if (o.overlap().isPresent()) return o.overlap().getAsInt();
        if (overlap >= 0) return overlap;
        int r = receptiveRadius();
        int ov = r < 0 ? t / 2 : 4 * r;
        ov = (ov + align - 1) / align * align;
        return Math.min(ov, Math.max(t / 2 / align * align, 0));
    }

    /** Whether tiles overlap enough for the tiled result to equal the untiled one (blend over exact pixels only). */
    public boolean exactTiling() {
        int r = receptiveRadius();
        return r >= 0 && effectiveOverlap() / 4 >= r;
    }

    /** Runs the model once on a whole {@code [h,w,cin]} array (model units); returns {@code [h,w,channels]}. */
    private float[] run(float[] x, int h, int w, int cin) {
        try (Arena arena = Arena.ofShared()) {
            Tensor t = flat ? Tensor.of(arena, x, 1, h * w * cin) : Tensor.of(arena, x, 1, h, w, cin);
            return model.forward(t).toArray();
        }
    }

    /**
     * Denoises {@code img} (values in [0,1]) and returns it with new colour planes (alpha, size and bit depth kept).
     * For a fully-convolutional model the planes of {@code img} itself are overwritten (no copy of a large image).
     * The options' sigma (noise level in [0,1] units) is used only by a model with a noise-level input.
     */
    @Override
    public FloatImage denoise(FloatImage img, DenoiseOptions options) {
        int w = img.width(), h = img.height();
        float sigma = options.sigmaOr(0f);
        Tiler.Progress progress = options.progress();
        if (!accepts(w, h)) {
            if (options.sizeMismatch() != DenoiseOptions.SizeMismatch.RESIZE) throw new IllegalArgumentException(refusal(w, h));
            FloatImage small = Resize.bilinear(img, fixedW, fixedH);
            FloatImage done = denoise(small, options.sizeMismatch(DenoiseOptions.SizeMismatch.REFUSE));
            return img.withPlanes(Resize.planes(Resize.bilinear(done, w, h)));
        }
        float[][] planes = new float[img.channels()][];
        for (int c = 0; c < planes.length; c++) planes[c] = img.plane(c);
        if (channels == 1) {
            for (int c = 0; c < planes.length; c++) {
                int pass = c;
                denoisePlanes(new float[][] {planes[c]}, new float[][] {planes[c]}, w, h, sigma, options,
                        progress == null ? null : (d, n) -> progress.update(pass * n + d, planes.length * n), null);
            }
        } else if (planes.length == 3) {
            denoisePlanes(planes, planes, w, h, sigma, options, progress, null);
        } else {
            // colour model, gray image: three equal channels in, the mean of the three out
            float[] g = planes[0];
            float[] sum = new float[g.length];
            denoisePlanes(new float[][] {g, g, g}, null, w, h, sigma, options, progress, sum);
            for (int i = 0; i < g.length; i++) g[i] = sum[i] / 3f;
        }
        return img.withPlanes(planes);
    }

    /**
     * Runs consecutive images that fit the model as they are (same size, the model's channel count, one tile) as one
     * batch, up to {@link #BATCH_PIXELS} pixels per forward pass; any other image goes through {@link #denoise}.
     * Per image the result is the one {@link #denoise} gives, up to float rounding of the batched kernels.
     */
    @Override
    public List<FloatImage> denoiseAll(List<FloatImage> imgs, List<DenoiseOptions> options) {
        if (options.size() != imgs.size()) {
            throw new IllegalArgumentException(imgs.size() + " images but " + options.size() + " options");
        }
        List<FloatImage> out = new ArrayList<>(imgs.size());
        int i = 0;
        while (i < imgs.size()) {
            FloatImage first = imgs.get(i);
            int j = i + 1;
            if (batchable(first, options.get(i))) {
                long pixels = (long) first.width() * first.height();
                while (j < imgs.size() && imgs.get(j).width() == first.width() && imgs.get(j).height() == first.height()
                        && imgs.get(j).channels() == first.channels() && batchable(imgs.get(j), options.get(j))
                        && (pixels += (long) first.width() * first.height()) <= BATCH_PIXELS) j++;
            }
            if (j - i == 1) out.add(denoise(first, options.get(i)));
            else out.addAll(runBatch(imgs.subList(i, j), options.subList(i, j)));
            i = j;
        }
        return out;
    }

    private boolean batchable(FloatImage img, DenoiseOptions o) {
        int w = img.width(), h = img.height();
        if (img.channels() != channels || !accepts(w, h) || (long) w * h > BATCH_PIXELS / 2) return false;
        return !anySize || (w % align == 0 && h % align == 0 && w <= effectiveTile(o) && h <= effectiveTile(o));
    }

    /** One forward pass over {@code imgs} (all {@code [h,w]} with the model's channels), image i with {@code options.get(i)}. */
    private List<FloatImage> runBatch(List<FloatImage> imgs, List<DenoiseOptions> options) {
        int n = imgs.size(), w = imgs.get(0).width(), h = imgs.get(0).height(), hw = w * h;
        int c = channels, cin = c + (sigmaInput ? 1 : 0);
        float scale = vmax - vmin;
        float[] x = new float[n * hw * cin];
        for (int s = 0; s < n; s++) {
            for (int k = 0; k < c; k++) {
                float[] p = imgs.get(s).plane(k);
                for (int q = 0; q < hw; q++) x[(s * hw + q) * cin + k] = vmin + scale * p[q];
            }
            if (sigmaInput) {
                float sig = options.get(s).sigmaOr(0f) * scale;
                for (int q = 0; q < hw; q++) x[(s * hw + q) * cin + c] = sig;
            }
        }
        float[] y;
        try (Arena arena = Arena.ofShared()) {
            Tensor t = flat ? Tensor.of(arena, x, n, hw * cin) : Tensor.of(arena, x, n, h, w, cin);
            y = model.forward(t).toArray();
        }
        List<FloatImage> out = new ArrayList<>(n);
        for (int s = 0; s < n; s++) {
            float[][] planes = new float[c][hw];
            for (int k = 0; k < c; k++) {
                float[] in = imgs.get(s).plane(k);
                for (int q = 0; q < hw; q++) {
                    planes[k][q] = fromModel(in[q], y[(s * hw + q) * c + k]);
                }
            }
            out.add(imgs.get(s).withPlanes(planes));
        }
        return out;
    }

    /** A model output value back to a denoised [0,1] value, given the [0,1] input value it came from. */
    private float fromModel(float in, float out) {
        float scale = vmax - vmin;
        return residual ? in - out / scale : (out - vmin) / scale;
    }

    /** Runs the model over planes {@code src} (channels of the model) into {@code dst} (or summed into {@code sum}). */
    private void denoisePlanes(float[][] src, float[][] dst, int w, int h, float sigma, DenoiseOptions options,
                               Tiler.Progress progress, float[] sum) {
        int c = channels, cin = c + (sigmaInput ? 1 : 0);
        float scale = vmax - vmin, sig = sigma * scale;
        Layout lay = layout(w, h, options);
        Tiler tiler = anySize ? new Tiler(w, h, c, c, lay.tile(), lay.overlap(), align) : new Tiler(w, h, c, c, Math.max(w, h), 0, 1);
        int th = tiler.tileHeight(), tw = tiler.tileWidth();
        try (Arena arena = Arena.ofShared()) {
            Tensor x = flat ? Tensor.allocate(arena, 1, th * tw * cin) : Tensor.allocate(arena, 1, th, tw, cin);
            // the output is ours too: every tile (and every same-size image) reuses the model's plan and writes here
            Tensor y = Tensor.allocate(arena, model.outputShape(x.shape().dropBatch()).withBatch(1));
            MemorySegment xs = x.data();
            Tiler.Fn fn = (in, hh, ww, out) -> {
                int n = hh * ww;
                if (!sigmaInput && vmin == 0f && scale == 1f) {
                    MemorySegment.copy(in, 0, xs, ValueLayout.JAVA_FLOAT, 0, n * c);
                } else {
                    for (int i = 0; i < n; i++) {
                        for (int k = 0; k < c; k++) {
                            xs.setAtIndex(ValueLayout.JAVA_FLOAT, (long) i * cin + k, vmin + scale * in[i * c + k]);
                        }
                        if (sigmaInput) xs.setAtIndex(ValueLayout.JAVA_FLOAT, (long) i * cin + c, sig);
                    }
                }
                model.forward(x, y);
                MemorySegment.copy(y.data(), ValueLayout.JAVA_FLOAT, 0, out, 0, n * c);
                if (residual || vmin != 0f || scale != 1f) {
                    for (int i = 0; i < n * c; i++) out[i] = fromModel(in[i], out[i]);
                }
            };
            Tiler.Source source = (x0, y0, ww, hh, d) -> {
                for (int r = 0; r < hh; r++) {
                    int row = (y0 + r) * w + x0;
                    if (c == 1) {
                        System.arraycopy(src[0], row, d, r * ww, ww);
                    } else {
                        for (int q = 0; q < ww; q++) {
                            for (int k = 0; k < c; k++) d[(r * ww + q) * c + k] = src[k][row + q];
                        }
                    }
                }
            };
            Tiler.Sink sink = (y0, rows, data) -> {
                for (int r = 0; r < rows; r++) {
                    int row = (y0 + r) * w;
                    for (int q = 0; q < w; q++) {
                        for (int k = 0; k < c; k++) {
                            float v = data[(r * w + q) * c + k];
                            if (sum != null) sum[row + q] += v;
                            else dst[k][row + q] = v;
                        }
                    }
                }
            };
            tiler.run(source, fn, sink, progress);
        }
    }

    /** One line: channels, size rule, noise input, tiling. */
    public String describe() {
        String size = anySize ? "any size" + (align > 1 ? " (tiles multiple of " + align + ")" : "")
                : "fixed " + fixedW + "x" + fixedH;
        return (channels == 1 ? "gray" : "RGB") + ", " + size + (sigmaInput ? ", takes a noise-level map" : "")
                + (residual ? ", predicts the noise (output = input - model)" : "");
    }
}
