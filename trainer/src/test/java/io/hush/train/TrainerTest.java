package io.hush.train;

import io.hush.data.Batch;
import io.hush.engine.Model;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.Dropout;
import io.hush.engine.layers.Param;
import io.hush.noise.NoiseModel;
import io.hush.train.loss.Losses;
import io.hush.train.loss.PixelLoss;
import io.hush.train.optim.Adam;
import io.hush.train.optim.LrSchedule;
import io.hush.train.optim.Sgd;
import io.hush.train.reg.ActivityRegularizer;
import io.hush.train.reg.WeightRegularizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {
    static final int H = 12, W = 12;

    /** Smooth synthetic images in [0,1]: a few Gaussian blobs each, deterministic. */
    static float[] images(int n, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] a = new float[n * H * W];
        for (int s = 0; s < n; s++) {
            for (int b = 0; b < 2; b++) {
                double cy = 2 + 8 * r.nextDouble(), cx = 2 + 8 * r.nextDouble(), rad = 1.5 + 2 * r.nextDouble();
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        int i = s * H * W + y * W + x;
                        a[i] = (float) Math.min(1, a[i] + Math.exp(-((y - cy) * (y - cy) + (x - cx) * (x - cx)) / (2 * rad * rad)));
                    }
                }
            }
        }
        return a;
    }

    static Model model(long seed, boolean dropout) {
        Model.Builder b = Model.builder(H, W, 1).seed(seed).add(new Pointwise(8, Activation.TANH));
        if (dropout) b.add(new Dropout(0.2f));
        return b.add(new Pointwise(6, Activation.SIGMOID)).add(new Pointwise(1, Activation.SIGMOID)).build().threads(1);
    }

    static BatchSource train(long seed) {
        return NoisySource.fresh(ArraySource.shuffled(images(40, 1), 40, H, W, 1, 8, seed), NoiseModel.parse("gaussian:50+clip"), seed);
    }

    static BatchSource val() {
        return NoisySource.fixed(ArraySource.inOrder(images(16, 2), 16, H, W, 1, 16), NoiseModel.parse("gaussian:50+clip"), 99);
    }

    /** A trainer with every stateful option on: dropout, penalties, clipping, plateau schedule, activity regularisation. */
    static Trainer full(Model m, long seed) {
        return Trainer.compile(m, new Adam(1e-2), Losses.parse("0.8*mse+0.2*l1")).seed(seed)
                .weightRegularizer(new WeightRegularizer(1e-4, 1e-3))
                .activityRegularizer(new ActivityRegularizer(3, 0.2, 0.1, 1e-4))
                .clipNorm(0.5)
                .schedule(LrSchedule.plateau(0.5, 1, 0, 1e-4, 0));
    }

    static List<float[]> weights(Model m) {
        List<float[]> r = new ArrayList<>();
        for (Param p : m.params()) r.add(p.value.toArray());
        return r;
    }

    static void assertSameWeights(List<float[]> a, List<float[]> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), 0f, "parameter " + i);
    }

    @Test
    void aNonFiniteLossStopsBeforeTheWeightsChange() {
        try (Model m = model(1, false); Trainer t = Trainer.compile(m, new Adam(1e-2), PixelLoss.mse())) {
            List<float[]> before = weights(m);
            float[] noisy = images(2, 3), clean = noisy.clone();
            clean[5] = Float.NaN;
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.step(new Batch(0, 0, 2, H, W, 1, noisy, clean, new int[2])));
            assertTrue(e.getMessage().contains("loss became NaN"), e.getMessage());
            assertSameWeights(before, weights(m));
        }
    }

    @Test
    void fitLowersTheLoss(@TempDir Path dir) throws Exception {
        try (Model m = model(1, false); Trainer t = Trainer.compile(m, new Adam(2e-2), PixelLoss.mse())) {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            History h = t.fit(train(5), val(), 4, new ProgressLog(new PrintStream(log), false), new CsvLogger(dir.resolve("log.csv")),
                    new PlotCallback(dir, val(), 4)); 
            double[] loss = h.get("loss"), vl = h.get("val_loss"), psnr = h.get("val_psnr");
            assertEquals(4, h.size());
            assertTrue(loss[3] < 0.7 * loss[0], "training loss " + loss[0] + " -> " + loss[3]);
            assertTrue(vl[3] < vl[0], "validation loss " + vl[0] + " -> " + vl[3]);
            assertTrue(psnr[3] > psnr[0], "validation PSNR " + psnr[0] + " -> " + psnr[3]);
            assertTrue(Double.isFinite(h.last().get("val_ssim")));
            List<String> csv = Files.readAllLines(dir.resolve("log.csv"));
            assertEquals(5, csv.size());
            assertTrue(csv.get(0).startsWith("epoch,loss,val_loss,val_psnr,val_ssim"), csv.get(0));
            assertTrue(csv.get(4).startsWith("4,"), csv.get(4));
            for (String png : new String[] {"history.png", "samples.png"}) {
                java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(dir.resolve(png).toFile());
                assertNotNull(img, png);
                assertTrue(img.getWidth() > 100, png);
            }
            String out = log.toString();
            assertTrue(out.contains("epoch 4/4") && out.contains("val_psnr"), out);
        }
    }

    @Test
    void sameSeedSameWeights() {
        List<List<float[]>> runs = new ArrayList<>();
        List<History> hs = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            try (Model m = model(3, true); Trainer t = full(m, 11)) {
                hs.add(t.fit(train(11), val(), 2));
                runs.add(weights(m));
            }
        }
        assertSameWeights(runs.get(0), runs.get(1));
        assertEquals(hs.get(0).get("val_loss")[1], hs.get(1).get("val_loss")[1], 0.0);
        // and another seed changes the run (data order, noise and dropout all follow it)
        try (Model m = model(3, true); Trainer t = full(m, 12)) {
            t.fit(train(12), val(), 2);
            assertNotEquals(runs.get(0).get(0)[0], weights(m).get(0)[0]);
        }
    }

    /** A run killed mid-epoch and resumed from its last checkpoint ends bit-identical to one that was not stopped. */
    @Test
    void resumeIsExact(@TempDir Path dir) throws Exception {
        int epochs = 3;
        List<float[]> straight;
        History hStraight;
        try (Model m = model(3, true); Trainer t = full(m, 7)) {
            hStraight = t.fit(train(7), val(), epochs, new EarlyStopping("val_loss", 5));
            straight = weights(m);
        }
        Path ckpt = dir.resolve("last.ckpt");
        RuntimeException kill = new RuntimeException("killed");
        try (Model m = model(3, true); Trainer t = full(m, 7).checkpoint(ckpt, 3)) {
            Callback killer = new Callback() {
                @Override public void onBatchEnd(Trainer tr, int epoch, int batch, double loss) {
                    if (tr.globalStep() == 8) throw kill; // 5 batches per epoch: dies in epoch 2, after the step-6 checkpoint
                }
            };
            RuntimeException e = assertThrows(RuntimeException.class, () -> t.fit(train(7), val(), epochs, new EarlyStopping("val_loss", 5), killer));
            assertSame(kill, e);
        }
        assertTrue(Files.exists(ckpt));
        try (Model m = model(999, true); Trainer t = full(m, 7).checkpoint(ckpt, 3).resume(ckpt)) { // other init: overwritten
            History h = t.fit(train(7), val(), epochs, new EarlyStopping("val_loss", 5));
            assertSameWeights(straight, weights(m));
            assertEquals(hStraight.size(), h.size());
            for (int e = 0; e < epochs; e++) {
                for (String k : new String[] {"loss", "reg", "val_loss", "val_psnr", "val_ssim", "lr"}) {
                    assertEquals(hStraight.epochs().get(e).get(k), h.epochs().get(e).get(k), 0.0, k + " of epoch " + (e + 1));
                }
            }
        }
        // resuming with other data is refused with a clear message
        try (Model m = model(3, true); Trainer t = full(m, 7).resume(ckpt)) {
            BatchSource other = ArraySource.shuffled(images(40, 1), 40, H, W, 1, 4, 7);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.fit(other, null, 3));
            assertTrue(e.getMessage().contains("batches per epoch"), e.getMessage());
        }
    }

    private static float[] subtract(float[] a, float[] b) {
        float[] d = new float[a.length];
        for (int i = 0; i < d.length; i++) d[i] = a[i] - b[i];
        return d;
    }

    @Test
    void residualLearningPredictsTheNoise() {
        try (Model m = model(4, false); Trainer t = Trainer.compile(m, new Sgd(0.5, 0.9, true), PixelLoss.mse()).residual(true)) {
            float[] noisy = images(2, 5);
            float[] out = m.predict(noisy, 2);
            float[] den = t.denoise(noisy, 2, H, W, 1);
            for (int i = 0; i < den.length; i++) assertEquals(noisy[i] - out[i], den[i], 0f);
            // another size is never guessed (8x32 has the pixel count of 16x16): it is given
            float[] wide = java.util.Arrays.copyOf(noisy, 8 * 32);
            RuntimeException e = assertThrows(RuntimeException.class, () -> m.predict(wide, 1));
            assertTrue(e.getMessage().contains("predict(x, n, height, width)"), e.getMessage());
            assertArrayEquals(t.denoise(wide, 1, 8, 32, 1), subtract(wide, m.predict(wide, 1, 8, 32)));
            History h = t.fit(train(3), val(), 3);
            assertTrue(h.get("loss")[2] < h.get("loss")[0], h.toString());
        }
    }

    @Test
    void earlyStoppingAndKeepBest(@TempDir Path dir) throws Exception {
        try (Model m = model(6, false); Trainer t = Trainer.compile(m, new Adam(1e-9), PixelLoss.mse())) {
            // a learning rate too small to matter: val_loss never improves by 1e-3, so training stops after 1 + 2 epochs
            EarlyStopping es = new EarlyStopping(Monitor.of("val_loss").withMinDelta(1e-3), 2).restoringBest();
            ModelCheckpoint best = new ModelCheckpoint(dir.resolve("best.weights"), "val_loss").weightsOnly();
            List<List<float[]>> perEpoch = new ArrayList<>();
            History h = t.fit(train(1), val(), 20, es, best, new Callback() {
                @Override public void onEpochEnd(Trainer tr, int epoch, Map<String, Double> logs) {
                    perEpoch.add(tr.snapshot());
                }
            });
            assertEquals(3, h.size());
            assertEquals(0, es.bestEpoch());
            assertSameWeights(perEpoch.get(0), weights(m)); // restored to the best epoch's weights
            double[] vl = h.get("val_loss");
            int bestEpoch = 0;
            for (int e = 1; e < vl.length; e++) if (vl[e] < vl[bestEpoch]) bestEpoch = e;
            try (Model other = model(77, false)) {
                ModelCheckpoint.readWeights(other, dir.resolve("best.weights"));
                assertSameWeights(perEpoch.get(bestEpoch), weights(other));
            }
        }
    }

    @Test
    void stepsPerEpochLimitsBatches() {
        try (Model m = model(6, false); Trainer t = Trainer.compile(m, new Adam(1e-3), PixelLoss.mse()).stepsPerEpoch(2)) {
            t.fit(train(1), null, 3);
            assertEquals(6, t.globalStep());
            assertEquals(6, t.optimizer().iterations());
        }
    }

    @Test
    void badMonitorIsNamed() {
        try (Model m = model(6, false); Trainer t = Trainer.compile(m, new Adam(1e-3), PixelLoss.mse())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.fit(train(1), null, 1, new EarlyStopping("val_loss", 1)));
            assertTrue(e.getMessage().contains("'val_loss' is not in the epoch logs"), e.getMessage());
        }
    }
}
