package io.hush.train;

import io.hush.data.Seeds;
import java.util.SplittableRandom;

/**
 * In-memory images {@code [N,H,W,C]} served in batches, reshuffled every epoch from {@code (seed, epoch)} (or in
 * order with {@code shuffle=false}, as for validation). Without noise both arrays of a batch hold the clean images;
 * wrap it in a {@link NoisySource} for denoising pairs, or pass explicit noisy images. The last batch of an epoch
 * is smaller when N is not a multiple of the batch size, unless {@code dropLast}.
 */
public final class ArraySource implements BatchSource {
    private final float[] clean, noisy;
    private final int count, h, w, c, batchSize;
    private final boolean shuffle, dropLast;
    private final long seed;
    private final int[] order;
    private int cursor;
    private final Batch full, tail;

    /** Clean images only (the noisy side of each batch is a copy of the clean one). */
    public ArraySource(float[] images, int count, int h, int w, int c, int batchSize, boolean shuffle, boolean dropLast, long seed) {
        this(images, null, count, h, w, c, batchSize, shuffle, dropLast, seed);
    }

    /** Fixed pairs; {@code noisy} may be null. */
    public ArraySource(float[] clean, float[] noisy, int count, int h, int w, int c, int batchSize, boolean shuffle,
                       boolean dropLast, long seed) {
        long per = (long) h * w * c;
        if (count <= 0 || clean.length != count * per || (noisy != null && noisy.length != clean.length)) {
            throw new IllegalArgumentException(count + " images of [" + h + "," + w + "," + c + "] need " + count * per
                    + " values, got " + clean.length + (noisy == null ? "" : " clean and " + noisy.length + " noisy"));
        }
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        if (dropLast && count < batchSize) {
            throw new IllegalArgumentException(count + " images do not fill one batch of " + batchSize + " (and dropLast is on)");
        }
        this.clean = clean;
        this.noisy = noisy;
        this.count = count;
        this.h = h;
        this.w = w;
        this.c = c;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.seed = seed;
        this.order = new int[count];
        int b = Math.min(batchSize, count);
        full = new Batch(new float[(int) (b * per)], new float[(int) (b * per)], b, h, w, c);
        int rest = count % batchSize;
        tail = rest == 0 || dropLast ? null : new Batch(new float[(int) (rest * per)], new float[(int) (rest * per)], rest, h, w, c);
        epoch(0);
    }

    public int count() { return count; }
    public int height() { return h; }
    public int width() { return w; }
    public int channels() { return c; }
    public int batchSize() { return batchSize; }

    @Override
    public int batches() { return dropLast ? count / batchSize : (count + batchSize - 1) / batchSize; }

    @Override
    public long samples() { return dropLast ? (long) batches() * batchSize : count; }

    @Override
    public void epoch(int e) {
        for (int i = 0; i < count; i++) order[i] = i;
        if (shuffle) {
            // Fisher-Yates from a stream that depends only on (seed, epoch): resumable without saved RNG state
            SplittableRandom r = new SplittableRandom(Seeds.derive(seed, 0x5EED_0DE5L, e));
            for (int i = count - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        cursor = 0;
    }

    @Override
    public void skip(int k) { cursor += k; }

    @Override
    public Batch next() {
        if (cursor >= batches()) throw new IllegalStateException("epoch has only " + batches() + " batches");
        int start = cursor * batchSize;
        int n = Math.min(batchSize, count - start);
        Batch b = n == full.n ? full : tail;
        int per = h * w * c;
        for (int i = 0; i < n; i++) {
            int src = order[start + i] * per;
            System.arraycopy(clean, src, b.clean, i * per, per);
            System.arraycopy(noisy != null ? noisy : clean, src, b.noisy, i * per, per);
        }
        cursor++;
        return b;
    }
}
