package io.hush.train;

import io.hush.data.Batch;
import io.hush.data.Seeds;
import java.util.SplittableRandom;

/**
 * In-memory clean images {@code [N,H,W,C]} served in batches, reshuffled every epoch from {@code (seed, epoch)}
 * ({@link #shuffled}) or in order ({@link #inOrder}, as for validation). Both arrays of a batch hold the clean images;
 * wrap it in a {@link NoisySource} for denoising pairs. The last batch of an epoch is smaller when N is not a multiple
 * of the batch size.
 */
public final class ArraySource implements BatchSource {
    private final float[] clean;
    private final int count, h, w, c, batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int[] order;
    private int epoch, cursor;
    private final float[] fullClean, fullNoisy, tailClean, tailNoisy; // [b,h,w,c] and [count % b,h,w,c], reused

    /** {@code count} images {@code [h,w,c]} in {@code images}, in a new order every epoch drawn from {@code seed}. */
    public static ArraySource shuffled(float[] images, int count, int h, int w, int c, int batchSize, long seed) {
        return new ArraySource(images, count, h, w, c, batchSize, true, seed);
    }

    /** {@code count} images {@code [h,w,c]} in {@code images}, in their order every epoch. */
    public static ArraySource inOrder(float[] images, int count, int h, int w, int c, int batchSize) {
        return new ArraySource(images, count, h, w, c, batchSize, false, 0);
    }

    private ArraySource(float[] clean, int count, int h, int w, int c, int batchSize, boolean shuffle, long seed) {
        long per = (long) h * w * c;
        if (count <= 0 || clean.length != count * per) {
            throw new IllegalArgumentException(count + " images of [" + h + "," + w + "," + c + "] need " + count * per
                    + " values, got " + clean.length);
        }
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        this.clean = clean;
        this.count = count;
        this.h = h;
        this.w = w;
        this.c = c;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.order = new int[count];
        int b = Math.min(batchSize, count), rest = count % batchSize;
        fullClean = new float[(int) (b * per)];
        fullNoisy = new float[(int) (b * per)];
        tailClean = new float[(int) (rest * per)];
        tailNoisy = new float[(int) (rest * per)];
        epoch(0);
    }

    public int count() { return count; }
    public int height() { return h; }
    public int width() { return w; }
    public int channels() { return c; }
    public int batchSize() { return batchSize; }

    @Override
    public int batches() { return (count + batchSize - 1) / batchSize; }

    @Override
    public long samples() { return count; }

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
        epoch = e;
        cursor = 0;
    }

    @Override
    public void skip(int k) { cursor += k; }

    @Override
    public Batch next() {
        if (cursor >= batches()) throw new IllegalStateException("epoch has only " + batches() + " batches");
        int start = cursor * batchSize;
        int n = Math.min(batchSize, count - start);
        boolean full = n == Math.min(batchSize, count);
        float[] target = full ? fullClean : tailClean, input = full ? fullNoisy : tailNoisy;
        int per = h * w * c;
        int[] images = java.util.Arrays.copyOfRange(order, start, start + n);
        for (int i = 0; i < n; i++) {
            System.arraycopy(clean, images[i] * per, target, i * per, per);
            System.arraycopy(clean, images[i] * per, input, i * per, per);
        }
        return new Batch(epoch, cursor++, n, h, w, c, input, target, images);
    }
}
