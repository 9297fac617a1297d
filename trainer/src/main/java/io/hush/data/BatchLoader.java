package io.hush.data;

import io.hush.image.FloatImage;
import io.hush.noise.NoiseModel;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Turns a {@link Dataset} into batches of patches, NHWC, with augmentation and optional noise, deterministically.
 *
 * <p>An epoch has {@code size * patchesPerImage} samples; sample {@code s} is a patch of image {@code s % size}. With
 * shuffling, the sample order is a permutation drawn from {@code (seed, epoch)}. Every random choice for a sample
 * (crop, flips, rotation, noise) is drawn from a generator seeded by {@code (seed, epoch, s)}, so
 * {@link #batch(int, int)} is a pure function: the background {@link #epochs prefetcher} gives bit-identical
 * batches whatever the thread timing, and a run can resume at any batch.
 *
 * <p>For a fixed validation set use a loader with {@link Augment#NONE} (or random crops with a fixed seed), no
 * shuffling, {@code dropLast false}, and always epoch 0.
 */
public final class BatchLoader {
    /**
     * @param patchSize       side of the square patches; 0 takes whole images (all must be the same size)
     * @param patchesPerImage patches cut from each image per epoch
     * @param batchSize       samples per batch
     * @param augment         augmentation switches
     * @param noise           noise for {@code input}, or null for clean input
     * @param seed            root seed
     * @param shuffle         shuffle the samples each epoch
     * @param dropLast        drop the last batch if it is smaller than batchSize
     * @param prefetch        batches the background thread may have ready ahead of the consumer
     */
    public record Config(int patchSize, int patchesPerImage, int batchSize, Augment augment, NoiseModel noise, long seed,
                         boolean shuffle, boolean dropLast, int prefetch) {
        public Config {
            if (patchSize < 0) throw new IllegalArgumentException("patch size " + patchSize + " < 0");
            if (patchesPerImage < 1) throw new IllegalArgumentException("patches per image " + patchesPerImage + " < 1");
            if (batchSize < 1) throw new IllegalArgumentException("batch size " + batchSize + " < 1");
            if (prefetch < 1) throw new IllegalArgumentException("prefetch " + prefetch + " < 1");
            if (augment == null) throw new IllegalArgumentException("augment is null (use Augment.NONE)");
        }

        /**
         * Training: the samples shuffled each epoch, a smaller last batch kept, 4 batches made ahead.
         * {@code patchSize} 0 takes whole images.
         */
        public static Config training(int patchSize, int patchesPerImage, int batchSize, Augment augment, NoiseModel noise, long seed) {
            return new Config(patchSize, patchesPerImage, batchSize, augment, noise, seed, true, false, 4);
        }

        /**
         * A fixed validation set (read it as epoch 0 every time): one centred patch per image (whole images with
         * {@code patchSize} 0), in order, no augmentation, a smaller last batch kept, 2 batches made ahead.
         */
        public static Config validation(int patchSize, int batchSize, NoiseModel noise, long seed) {
            return new Config(patchSize, 1, batchSize, Augment.NONE, noise, seed, false, false, 2);
        }

        /** 40x40 patches (DnCNN), 1 per image, batch 64, {@link Augment#DEFAULT}, no noise, seed 0, shuffled, drop last, 4 ahead. */
        public static Config defaults() { return new Config(40, 1, 64, Augment.DEFAULT, null, 0, true, true, 4); }

        public Config withPatchSize(int v) { return new Config(v, patchesPerImage, batchSize, augment, noise, seed, shuffle, dropLast, prefetch); }
        public Config withPatchesPerImage(int v) { return new Config(patchSize, v, batchSize, augment, noise, seed, shuffle, dropLast, prefetch); }
        public Config withBatchSize(int v) { return new Config(patchSize, patchesPerImage, v, augment, noise, seed, shuffle, dropLast, prefetch); }
        public Config withAugment(Augment v) { return new Config(patchSize, patchesPerImage, batchSize, v, noise, seed, shuffle, dropLast, prefetch); }
        public Config withNoise(NoiseModel v) { return new Config(patchSize, patchesPerImage, batchSize, augment, v, seed, shuffle, dropLast, prefetch); }
        public Config withSeed(long v) { return new Config(patchSize, patchesPerImage, batchSize, augment, noise, v, shuffle, dropLast, prefetch); }
        public Config withShuffle(boolean v) { return new Config(patchSize, patchesPerImage, batchSize, augment, noise, seed, v, dropLast, prefetch); }
        public Config withDropLast(boolean v) { return new Config(patchSize, patchesPerImage, batchSize, augment, noise, seed, shuffle, v, prefetch); }
        public Config withPrefetch(int v) { return new Config(patchSize, patchesPerImage, batchSize, augment, noise, seed, shuffle, dropLast, v); }
    }

    private static final int CROP = 0, NOISE = 1, ORDER = 2;

    private final Dataset data;
    private final Config cfg;
    private final int ph, pw, c;

    public BatchLoader(Dataset data, Config cfg) {
        this.data = data;
        this.cfg = cfg;
        this.c = data.channels();
        if (cfg.patchSize() == 0) {
            if (!data.uniformSize()) {
                throw new IllegalArgumentException("whole-image batches (patch size 0) need images of one size; dataset has "
                        + data + " (set a patch size)");
            }
            ph = data.get(0).height();
            pw = data.get(0).width();
        } else {
            ph = pw = cfg.patchSize();
            for (int i = 0; i < data.size(); i++) {
                FloatImage im = data.get(i);
                if (im.width() < pw || im.height() < ph) {
                    throw new IllegalArgumentException("patch size " + cfg.patchSize() + " is larger than image " + data.name(i)
                            + " (" + im.width() + "x" + im.height() + ")");
                }
            }
        }
    }

    public Dataset dataset() { return data; }
    public Config config() { return cfg; }
    public int patchHeight() { return ph; }
    public int patchWidth() { return pw; }
    public int channels() { return c; }

    public int samplesPerEpoch() { return Math.multiplyExact(data.size(), cfg.patchesPerImage()); }

    public int batchesPerEpoch() {
        int s = samplesPerEpoch(), b = cfg.batchSize();
        return cfg.dropLast() ? s / b : (s + b - 1) / b;
    }

    /** Sample order of an epoch: a seeded permutation, or 0..n-1 without shuffling. */
    int[] order(int epoch) {
        int n = samplesPerEpoch();
        if (!cfg.shuffle()) {
            int[] o = new int[n];
            for (int i = 0; i < n; i++) o[i] = i;
            return o;
        }
        return permutation(n, new SplittableRandom(Seeds.derive(cfg.seed(), epoch, -1, ORDER)));
    }

    /** Batch {@code index} of {@code epoch}: a pure function of the dataset, the config and its arguments. */
    public Batch batch(int epoch, int index) {
        return batch(epoch, index, order(epoch));
    }

    private Batch batch(int epoch, int index, int[] order) {
        int nb = batchesPerEpoch();
        if (index < 0 || index >= nb) throw new IndexOutOfBoundsException("batch " + index + " of " + nb + " in an epoch");
        int from = index * cfg.batchSize(), n = Math.min(cfg.batchSize(), order.length - from);
        int per = ph * pw * c;
        float[] target = new float[n * per];
        float[] input = cfg.noise() == null ? target : new float[n * per];
        int[] images = new int[n];
        for (int i = 0; i < n; i++) {
            int s = order[from + i];
            int img = s % data.size();
            images[i] = img;
            SplittableRandom rng = new SplittableRandom(Seeds.derive(cfg.seed(), epoch, s, CROP));
            Patches.extract(data.get(img), ph, pw, cfg.augment(), rng, target, i * per);
            if (cfg.noise() != null) {
                System.arraycopy(target, i * per, input, i * per, per);
                cfg.noise().applyInPlace(input, i * per, per, c, Seeds.derive(cfg.seed(), epoch, s, NOISE));
            }
        }
        return new Batch(epoch, index, n, ph, pw, c, input, target, images);
    }

    /** All batches of one epoch, made ahead by a background thread. Close it (try-with-resources) to stop early. */
    public Prefetcher epoch(int epoch) { return epochs(epoch, 1, 0); }

    /** Batches {@code fromBatch, ...} of one epoch: resuming mid-epoch without making the skipped batches. */
    public Prefetcher epoch(int epoch, int fromBatch) { return epochs(epoch, 1, fromBatch); }

    /**
     * Batches of {@code count} consecutive epochs from {@code first}, made ahead by one background thread that keeps
     * up to {@code prefetch} ready batches in a bounded queue (crossing epoch boundaries without a pause).
     */
    public Prefetcher epochs(int first, int count) { return epochs(first, count, 0); }

    /** As {@link #epochs(int, int)}, starting at batch {@code fromBatch} of the first epoch. */
    public Prefetcher epochs(int first, int count, int fromBatch) {
        if (count < 0 || fromBatch < 0 || (count > 0 && fromBatch > batchesPerEpoch())) {
            throw new IllegalArgumentException("epochs " + first + "+" + count + " from batch " + fromBatch + " of "
                    + batchesPerEpoch());
        }
        return new Prefetcher(first, count, fromBatch);
    }

    /** Iterator over prefetched batches; {@link #close} stops and joins the producer thread. */
    public final class Prefetcher implements Iterator<Batch>, AutoCloseable {
        private record Failure(Throwable error) {}

        private static final Object END = new Object();
        private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(cfg.prefetch());
        private final Thread producer;
        private long remaining;
        private volatile boolean closed;

        Prefetcher(int first, int count, int fromBatch) {
            remaining = Math.max(0, (long) count * batchesPerEpoch() - fromBatch);
            producer = Thread.ofPlatform().daemon().name("hush-batch-loader").unstarted(() -> {
                try {
                    for (int e = first; e < first + count; e++) {
                        int[] order = order(e);
                        for (int b = e == first ? fromBatch : 0, nb = batchesPerEpoch(); b < nb; b++) {
                            if (closed) return;
                            queue.put(batch(e, b, order));
                        }
                    }
                    queue.put(END);
                } catch (InterruptedException ie) {
                    // closed
                } catch (Throwable t) {
                    try {
                        queue.put(new Failure(t));
                    } catch (InterruptedException ignored) {
                        // closed
                    }
                }
            });
            producer.start();
        }

        @Override
        public boolean hasNext() { return remaining > 0 && !closed; }

        /** The next batch, waiting for the producer if it is behind. */
        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("no more batches");
            Object o;
            try {
                o = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a batch", e);
            }
            if (o instanceof Failure f) {
                remaining = 0;
                throw new IllegalStateException("batch loader failed: " + f.error(), f.error());
            }
            if (o == END) throw new IllegalStateException("batch loader ended early");
            remaining--;
            return (Batch) o;
        }

        @Override
        public void close() {
            closed = true;
            producer.interrupt();
            queue.clear();
            try {
                producer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
    public static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
