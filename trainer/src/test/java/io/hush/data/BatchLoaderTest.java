package io.hush.data;

import io.hush.image.FloatImage;
import static org.junit.jupiter.api.Assertions.*;

import io.hush.noise.NoiseModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchLoaderTest {
    @TempDir Path dir;

    static Dataset synthetic(int count, int w, int h) {
        List<FloatImage> ims = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] p = new float[w * h];
            for (int k = 0; k < p.length; k++) p[k] = ((k * 7 + i * 13) % 101) / 100f;
            ims.add(FloatImage.gray(w, h, p));
        }
        return Dataset.of(ims);
    }

    static BatchLoader.Config cfg() {
        return BatchLoader.Config.defaults().withPatchSize(8).withPatchesPerImage(3).withBatchSize(4).withSeed(17);
    }

    @Test
    void batchesAreNhwcAndEachImageGivesItsPatchesPerEpoch() {
        Dataset ds = synthetic(10, 20, 12);
        BatchLoader l = new BatchLoader(ds, cfg());
        assertEquals(30, l.samplesPerEpoch());
        assertEquals(7, l.batchesPerEpoch(), "30 / 4, last partial batch dropped");
        assertEquals(8, new BatchLoader(ds, cfg().withDropLast(false)).batchesPerEpoch());
        Batch b = l.batch(0, 0);
        assertEquals(4, b.n());
        assertEquals(8, b.h());
        assertEquals(8, b.w());
        assertEquals(1, b.c());
        assertEquals(4 * 8 * 8, b.target().length);
        assertSame(b.input(), b.target(), "no noise: input is target");
        Batch last = new BatchLoader(ds, cfg().withDropLast(false)).batch(0, 7);
        assertEquals(2, last.n());

        int[] count = new int[10];
        BatchLoader all = new BatchLoader(ds, cfg().withDropLast(false));
        for (int i = 0; i < all.batchesPerEpoch(); i++) for (int img : all.batch(2, i).images()) count[img]++;
        for (int c : count) assertEquals(3, c);
    }

    @Test
    void shufflingDependsOnSeedAndEpochOnly() {
        Dataset ds = synthetic(10, 20, 12);
        BatchLoader a = new BatchLoader(ds, cfg()), b = new BatchLoader(ds, cfg());
        for (int e = 0; e < 2; e++) {
            for (int i = 0; i < a.batchesPerEpoch(); i++) assertArrayEquals(a.batch(e, i).target(), b.batch(e, i).target());
        }
        assertFalse(Arrays.equals(a.batch(0, 0).images(), a.batch(1, 0).images()) && Arrays.equals(a.batch(0, 1).images(), a.batch(1, 1).images()),
                "epochs are shuffled differently");
        BatchLoader other = new BatchLoader(ds, cfg().withSeed(18));
        assertFalse(Arrays.equals(a.batch(0, 0).target(), other.batch(0, 0).target()));
        BatchLoader seq = new BatchLoader(ds, cfg().withShuffle(false).withAugment(Augment.NONE));
        assertArrayEquals(new int[] {0, 1, 2, 3}, seq.batch(0, 0).images());
        assertArrayEquals(seq.batch(0, 0).target(), seq.batch(5, 0).target(), "no shuffle, no augmentation: every epoch equal");
    }

    @Test
    void backgroundLoaderIsBitIdenticalToDirectCallsWhateverTheTiming() throws InterruptedException {
        Dataset ds = synthetic(12, 24, 24);
        BatchLoader l = new BatchLoader(ds, cfg().withNoise(NoiseModel.parse("gaussian:0-55+clip")).withPrefetch(2)
                .withAugment(Augment.DEFAULT.withRotation(30)));
        List<Batch> got = new ArrayList<>();
        try (BatchLoader.Prefetcher it = l.epochs(3, 2)) {
            int k = 0;
            while (it.hasNext()) {
                got.add(it.next());
                if (k++ % 3 == 0) Thread.sleep(5); // a slow consumer: the queue fills up
            }
        }
        assertEquals(2 * l.batchesPerEpoch(), got.size());
        for (Batch b : got) {
            Batch d = l.batch(b.epoch(), b.index());
            assertArrayEquals(d.target(), b.target());
            assertArrayEquals(d.input(), b.input());
            assertFalse(Arrays.equals(b.input(), b.target()), "noisy input");
        }
        assertEquals(3, got.get(0).epoch());
        assertEquals(4, got.get(got.size() - 1).epoch());
        try (BatchLoader.Prefetcher p = l.epoch(4, 3)) { // resume: batch 3 onwards, nothing before is made
            Batch b = p.next();
            assertEquals(3, b.index());
            assertArrayEquals(l.batch(4, 3).input(), b.input());
            int rest = 1;
            while (p.hasNext()) {
                p.next();
                rest++;
            }
            assertEquals(l.batchesPerEpoch() - 3, rest);
        }
        try (BatchLoader.Prefetcher p = l.epoch(0)) {
            while (p.hasNext()) p.next();
            assertThrows(java.util.NoSuchElementException.class, p::next);
        }
    }

    @Test
    void closingEarlyStopsTheProducer() {
        BatchLoader l = new BatchLoader(synthetic(40, 16, 16), cfg().withPrefetch(1));
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        try (BatchLoader.Prefetcher it = l.epoch(0)) {
            it.next();
        }
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!before.contains(t)) assertNotEquals("hush-batch-loader", t.getName(), "producer still alive");
        }
    }

    @Test
    void wholeImagesAndBadSizes() {
        Dataset ds = synthetic(5, 7, 7);
        BatchLoader l = new BatchLoader(ds, cfg().withPatchSize(0).withPatchesPerImage(1).withAugment(Augment.NONE).withShuffle(false));
        assertArrayEquals(ds.get(1).plane(0), Arrays.copyOfRange(l.batch(0, 0).target(), 49, 98));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BatchLoader(ds, cfg().withPatchSize(8)));
        assertTrue(e.getMessage().contains("larger than image #0 (7x7)"), e.getMessage());
        List<FloatImage> mixed = new ArrayList<>(ds.images());
        mixed.add(FloatImage.gray(3, 2, new float[6]));
        e = assertThrows(IllegalArgumentException.class, () -> new BatchLoader(Dataset.of(mixed), cfg().withPatchSize(0)));
        assertTrue(e.getMessage().contains("one size"), e.getMessage());
    }

    @Test
    void splitIsSeededDisjointAndComplete() {
        Dataset ds = synthetic(20, 4, 4);
        Dataset.Split s = ds.split(0.25, 5);
        assertEquals(15, s.train().size());
        assertEquals(5, s.validation().size());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 15; i++) names.add(s.train().name(i));
        for (int i = 0; i < 5; i++) assertTrue(names.add(s.validation().name(i)));
        assertEquals(20, names.size());
        Dataset.Split again = ds.split(0.25, 5);
        for (int i = 0; i < 5; i++) assertEquals(s.validation().name(i), again.validation().name(i));
        assertEquals(1, ds.split(0.001, 1).validation().size(), "at least one");
        assertThrows(IllegalArgumentException.class, () -> ds.split(1.0, 1));
    }

    @Test
    void imageFolderLoadsSortedAndConvertsToGray() throws IOException {
        Images.write(dir.resolve("b.png"), FloatImage.gray(4, 3, new float[12]), Images.Format.PNG, 8);
        float[] one = new float[12];
        Arrays.fill(one, 1f);
        Images.write(dir.resolve("a.tif"), new FloatImage(4, 3, new float[][] {one, one, new float[12]}, null, 16),
                Images.Format.TIFF, 16);
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        Files.writeString(dir.resolve(".hidden.png"), "skipped");
        Dataset d = ImageFolder.load(dir, true);
        assertEquals(2, d.size());
        assertEquals("a.tif", d.name(0));
        assertEquals(1, d.channels());
        assertEquals(0.886f, d.get(0).plane(0)[0], 1e-6f);
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> ImageFolder.load(dir, false));
        assertTrue(e.getMessage().contains("b.png") && e.getMessage().contains("gray"), e.getMessage());
        Path empty = Files.createDirectory(dir.resolve("empty"));
        e = assertThrows(ImageFormatException.class, () -> ImageFolder.load(empty, true));
        assertTrue(e.getMessage().contains("no image files"), e.getMessage());
        Files.writeString(dir.resolve("c.png"), "corrupt");
        e = assertThrows(ImageFormatException.class, () -> ImageFolder.load(dir, true));
        assertTrue(e.getMessage().contains("c.png"), e.getMessage());
    }

    @Test
    void set12AndMnistFromSharedData() throws IOException {
        Path set12 = DataPaths.resolve("set12");
        Path mnist = DataPaths.resolve("mnist-test-images-idx3-ubyte.gz");
        Assumptions.assumeTrue(DataPaths.check(Files.isDirectory(set12) && Files.exists(mnist), "shared Set12/MNIST absent"),
                "shared data absent (" + DataPaths.root() + "): skipping Set12/MNIST loader test");
        Dataset s = ImageFolder.load(set12, true);
        assertEquals(12, s.size());
        assertEquals("01.png", s.name(0));
        Batch b = new BatchLoader(s, cfg().withPatchSize(40).withBatchSize(12).withPatchesPerImage(1)).batch(0, 0);
        assertEquals(12 * 40 * 40, b.target().length);
        Dataset m = Dataset.fromIdx(mnist);
        assertEquals(2000, m.size());
        BatchLoader ml = new BatchLoader(m, cfg().withPatchSize(0).withPatchesPerImage(1).withBatchSize(100)
                .withNoise(NoiseModel.parse("gaussian:50")));
        assertEquals(20, ml.batchesPerEpoch());
        assertEquals(28, ml.batch(0, 19).h());
    }

    @Test
    void dataPathsFollowTheSystemProperty() {
        String old = System.getProperty("hush.data");
        try {
            System.setProperty("hush.data", dir.toString());
            assertEquals(dir.toAbsolutePath().normalize(), DataPaths.root());
            assertFalse(DataPaths.available("set12"));
        } finally {
            if (old == null) System.clearProperty("hush.data");
            else System.setProperty("hush.data", old);
        }
    }
}
