package io.hush.train;

import io.hush.engine.Model;
import io.hush.engine.Shape;
import io.hush.engine.layers.Subtract;
import io.hush.noise.NoiseModel;
import io.hush.train.loss.PixelLoss;
import io.hush.train.optim.Adam;
import io.hush.train.reg.ActivityRegularizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ArchitecturesTest {
    @Test
    void seedNetworkShape() {
        try (Model m = Architectures.seed(1)) {
            assertEquals(Shape.of(28, 28, 1), m.outputShape());
            // conv 320 + conv 18,496 + dense 3136*3136+3136 + convT 36,928 + convT 18,464 + conv 289
            assertEquals(320 + 18_496 + 3136L * 3136 + 3136 + 36_928 + 18_464 + 289, m.parameterCount());
            assertEquals(6, Architectures.node(m, Architectures.LATENT));
        }
    }

    @Test
    void dncnnVariants() {
        try (Model a = Architectures.dncnn(17, 64, true); Model b = Architectures.dncnn(20, 20, 1, 5, 8, false, true, 3)) {
            assertEquals(Shape.of(40, 40, 1), a.outputShape());
            assertEquals(Shape.of(33, 17, 1), a.outputShape(Shape.of(33, 17, 1)), "fully convolutional");
            assertInstanceOf(Subtract.class, b.nodes().get(b.nodes().size() - 1).layer());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrainConfig().set("arch", "unet"));
            assertEquals("config key 'arch': 'unet' is not one of seed, dncnn, dncnn-residual, halfres, conv-ae, dense-ae", e.getMessage());
            assertEquals(Architectures.Arch.DNCNN_RESIDUAL, new TrainConfig().set("arch", "DnCNN-Residual").arch);
        }
    }

    /** The half-resolution DnCNN keeps the image size on even sides, refuses odd ones, and tiles in steps of 2. */
    @Test
    void halfResolutionDncnn() {
        try (Model m = Architectures.Spec.of(Architectures.Arch.HALFRES, 16, 16, 1).withDepth(3).withChannels(8).withSeed(5).build()) {
            assertEquals(Shape.of(16, 16, 1), m.outputShape());
            assertEquals(Shape.of(34, 22, 1), m.outputShape(Shape.of(34, 22, 1)), "fully convolutional on even sides");
            // conv 1->4 (36+4), conv s2 4->8 (288+8), 3 x (conv 8->8 no bias 576 + BN 4*8), convT 8->4 (288+4),
            // conv 4->4 (144+4), conv 4->1 (36+1)
            assertEquals(40 + 296 + 3 * (576 + 32) + 292 + 148 + 37, m.parameterCount());
            assertEquals(2, io.hush.denoise.ModelDenoiser.of(m).align(), "odd sizes are padded to even by the tiler");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Architectures.halfRes(15, 16, 1, 2, 8, false, 1));
        assertTrue(e.getMessage().contains("even sides"), e.getMessage());
    }

    /**
     * Real convolutions and BatchNorm (whose moving statistics are non-trainable parameters and must be restored too):
     * in-graph residual DnCNN and trainer-side residual learning both train, and a killed run resumes exactly.
     */
    @Test
    void convNetsTrainAndResumeExactly(@TempDir Path dir) {
        BatchSource train = NoisySource.fresh(ArraySource.shuffled(TrainerTest.images(16, 1), 16, 12, 12, 1, 8, 3), NoiseModel.parse("gaussian:40"), 3);
        BatchSource val = NoisySource.fixed(ArraySource.inOrder(TrainerTest.images(8, 2), 8, 12, 12, 1, 8), NoiseModel.parse("gaussian:40"), 4);
        List<float[]> straight;
        try (Model m = Architectures.dncnn(12, 12, 1, 3, 4, true, false, 5).threads(1);
             Trainer t = Trainer.compile(m, new Adam(3e-3), PixelLoss.mse()).residual(true)) {
            History h = t.fit(train, val, 3);
            assertTrue(h.get("loss")[2] < h.get("loss")[0], h.toString());
            straight = TrainerTest.weights(m);
        }
        Path ckpt = dir.resolve("c.ckpt");
        try (Model m = Architectures.dncnn(12, 12, 1, 3, 4, true, false, 5).threads(1);
             Trainer t = Trainer.compile(m, new Adam(3e-3), PixelLoss.mse()).residual(true).checkpoint(ckpt, 2)) {
            assertThrows(IllegalStateException.class, () -> t.fit(train, val, 3, new Callback() {
                @Override public void onBatchEnd(Trainer tr, int e, int b, double l) {
                    if (tr.globalStep() == 4) throw new IllegalStateException("killed");
                }
            }));
        }
        try (Model m = Architectures.dncnn(12, 12, 1, 3, 4, true, false, 6).threads(1);
             Trainer t = Trainer.compile(m, new Adam(3e-3), PixelLoss.mse()).residual(true).resume(ckpt)) {
            t.fit(train, val, 3);
            // Not bit for bit here: the engine's SIMD conv/GEMM kernels reduce lanes with reduceLanes(ADD), whose order
            // differs between interpreted and C2-compiled code, so one run changes in the last bits as the JIT warms
            // up (even without resuming). TrainerTest.resumeIsExact checks the bit-exact contract with a scalar layer.
            List<float[]> resumed = TrainerTest.weights(m);
            for (int i = 0; i < straight.size(); i++) assertArrayEquals(straight.get(i), resumed.get(i), 1e-4f, "parameter " + i);
        }
        try (Model m = Architectures.dncnn(12, 12, 1, 3, 4, false, true, 5);
             Trainer t = Trainer.compile(m, new Adam(3e-3), PixelLoss.mse())) {
            History h = t.fit(train, val, 3);
            assertTrue(h.get("loss")[2] < h.get("loss")[0], h.toString());
        }
    }

    /**
     * Residual learning in the trainer and residual learning in the graph (Subtract) are the same computation (equal up
     * to the JIT-dependent last bits of the engine's SIMD reductions, see above).
     */
    @Test
    void trainerResidualEqualsInGraphSubtract() {
        BatchSource train = NoisySource.fresh(ArraySource.shuffled(TrainerTest.images(16, 1), 16, 12, 12, 1, 8, 3), NoiseModel.parse("gaussian:40"), 3);
        try (Model a = Architectures.dncnn(12, 12, 1, 3, 4, false, false, 8).threads(1);
             Model b = Architectures.dncnn(12, 12, 1, 3, 4, false, true, 8).threads(1);
             Trainer ta = Trainer.compile(a, new Adam(3e-3), PixelLoss.mse()).residual(true);
             Trainer tb = Trainer.compile(b, new Adam(3e-3), PixelLoss.mse()).residual(false)) {
            History ha = ta.fit(train, null, 2), hb = tb.fit(train, null, 2);
            assertEquals(ha.get("loss")[1], hb.get("loss")[1], 1e-6);
            List<float[]> wa = TrainerTest.weights(a), wb = TrainerTest.weights(b);
            for (int i = 0; i < wa.size(); i++) assertArrayEquals(wa.get(i), wb.get(i), 1e-4f, "parameter " + i);
        }
    }

    /** Activity regularisation reaches the weights below the latent node (and only changes the run when on). */
    @Test
    void sparseAutoencoderInjectsTheActivityGradient() {
        BatchSource train = ArraySource.shuffled(TrainerTest.images(16, 1), 16, 12, 12, 1, 8, 3);
        List<float[]> plain, sparse;
        double meanCode;
        try (Model m = Architectures.denseAutoencoder(12, 12, 1, 32, 16, 0f, 9).threads(1);
             Trainer t = Trainer.compile(m, new Adam(1e-2), PixelLoss.mse())) {
            t.fit(train, null, 2);
            plain = TrainerTest.weights(m);
        }
        int latent;
        try (Model m = Architectures.denseAutoencoder(12, 12, 1, 32, 16, 0f, 9).threads(1);
             Trainer t = Trainer.compile(m, new Adam(1e-2), PixelLoss.mse())) {
            latent = Architectures.node(m, Architectures.LATENT);
            t.activityRegularizer(ActivityRegularizer.kl(latent, 0.05, 3.0));
            History h = t.fit(train, null, 4);
            sparse = TrainerTest.weights(m);
            assertTrue(h.get("reg")[3] < h.get("reg")[0], "KL penalty falls: " + h);
            float[] code = m.activation(latent).toArray();
            double s = 0;
            for (float v : code) s += v;
            meanCode = s / code.length;
        }
        // the first Dense kernel (below the code) differs: the gradient reached it
        assertFalse(java.util.Arrays.equals(plain.get(0), sparse.get(0)));
        assertTrue(meanCode < 0.3, "mean code activation " + meanCode + " pulled towards rho = 0.05");
    }
}
