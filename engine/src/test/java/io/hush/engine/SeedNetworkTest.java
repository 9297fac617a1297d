package io.hush.engine;

import io.hush.engine.golden.Compare;
import io.hush.engine.golden.GoldenCase;
import io.hush.engine.graph.Node;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Conv2DTranspose;
import io.hush.engine.layers.Dense;
import io.hush.engine.layers.Flatten;
import io.hush.engine.layers.Layer;
import io.hush.engine.layers.MaxPool2D;
import io.hush.engine.layers.Padding;
import io.hush.engine.layers.Param;
import io.hush.engine.layers.Reshape;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed network of the paper (a convolutional denoising autoencoder for 28x28x1 images), built exactly:
 * <pre>
 * Conv2D(32,3x3,relu,same) -> MaxPool(2,same) -> Conv2D(64,3x3,relu,same) -> MaxPool(2,same) -> Flatten
 * -> Dense(7*7*64, relu) -> Reshape(7,7,64) -> Conv2DTranspose(64,3,s2,relu,same) -> Conv2DTranspose(32,3,s2,relu,same)
 * -> Conv2D(1,3,sigmoid,same)
 * </pre>
 * Checks every node's shape, the parameter count Keras reports (9,912,129), a golden forward pass and parameter
 * gradients against the same network in PyTorch with identical weights (tools/golden/make_golden.py, case
 * seed_network), and that a few dozen Adam steps on synthetic noisy images reduce the loss.
 */
class SeedNetworkTest {

    static Model.Builder seedNetwork() {
        return Model.builder(28, 28, 1)
                .add(new Conv2D(32, 3, 1, Padding.SAME, Activation.RELU))
                .add(new MaxPool2D(2, Padding.SAME))
                .add(new Conv2D(64, 3, 1, Padding.SAME, Activation.RELU))
                .add(new MaxPool2D(2, Padding.SAME))
                .add(new Flatten())
                .add(new Dense(7 * 7 * 64, Activation.RELU))
                .add(new Reshape(7, 7, 64))
                .add(new Conv2DTranspose(64, 3, 2, Padding.SAME, Activation.RELU))
                .add(new Conv2DTranspose(32, 3, 2, Padding.SAME, Activation.RELU))
                .add(new Conv2D(1, 3, 1, Padding.SAME, Activation.SIGMOID));
    }

    @Test
    void shapesAndParameterCountMatchKeras() {
        try (Model m = seedNetwork().build()) {
            int[][] shapes = {
                    {28, 28, 1}, {28, 28, 32}, {14, 14, 32}, {14, 14, 64}, {7, 7, 64}, {3136}, {3136},
                    {7, 7, 64}, {14, 14, 64}, {28, 28, 32}, {28, 28, 1}};
            List<Node> nodes = m.nodes();
            assertEquals(shapes.length, nodes.size());
            for (int i = 0; i < shapes.length; i++) {
                assertArrayEquals(shapes[i], nodes.get(i).shape().dims(), "shape of node " + i + " " + nodes.get(i).layer());
            }
            // Keras model.summary(): 9*1*32+32, 9*32*64+64, 3136*3136+3136, 9*64*64+64, 9*64*32+32, 9*32*1+1
            long[] perLayer = {320, 18_496, 9_837_632, 36_928, 18_464, 289};
            List<Long> got = new ArrayList<>();
            for (Node n : nodes) {
                if (n.layer() == null || n.layer().params().isEmpty()) continue;
                long c = 0;
                for (Param p : n.layer().params()) c += p.value.size();
                got.add(c);
            }
            assertEquals(List.of(320L, 18_496L, 9_837_632L, 36_928L, 18_464L, 289L), got);
            long sum = 0;
            for (long c : perLayer) sum += c;
            assertEquals(9_912_129L, sum);
            assertEquals(9_912_129L, m.parameterCount());
            assertEquals(Shape.of(28, 28, 1), m.outputShape());
        }
    }

    // ------------------------------------------------------------------------------------------ golden vs PyTorch

    /**
     * Weights by formula, identical to make_golden.py's formula_weights: element i of parameter tensor j (model order,
     * kernel then bias per layer) is (float)((2u - 1) * scale) with u the top 24 bits of splitmix64((j << 32) + i)
     * over 2^24. Kernels are in Hush layout ([KH,KW,Cin,Cout] for Conv2D and Conv2DTranspose, Dense [In,Out]).
     */
    static float formula(int j, long i, double scale) {
        long z = ((long) j << 32) + i + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        double u = (z >>> 40) / 16777216.0;
        return (float) ((2.0 * u - 1.0) * scale);
    }

    static final String[] LAYER_NAMES = {"conv1", "conv2", "dense", "convT1", "convT2", "conv3"};

    /** Sets every parameter by {@link #formula}; returns the parameters in model order (kernel, bias per layer). */
    static List<Param> setFormulaWeights(Model m) {
        List<Param> order = new ArrayList<>();
        int j = 0;
        for (Node n : m.nodes()) {
            Layer l = n.layer();
            if (l == null || l.params().isEmpty()) continue;
            Param k = find(l, "kernel"), b = find(l, "bias");
            int[] d = k.value.shape().dims();
            double fanIn, fanOut;
            if (l instanceof Dense) {
                fanIn = d[0];
                fanOut = d[1];
            } else {                  // Conv2D and Conv2DTranspose kernels are both [KH,KW,Cin,Cout]
                fanIn = (double) d[0] * d[1] * d[2];
                fanOut = (double) d[0] * d[1] * d[3];
            }
            double scale = Math.sqrt(6.0 / (fanIn + fanOut));
            fill(k, j, scale);
            fill(b, j + 1, 0.05);
            order.add(k);
            order.add(b);
            j += 2;
        }
        return order;
    }

    private static Param find(Layer l, String name) {
        for (Param p : l.params()) if (p.name.equals(name)) return p;
        throw new AssertionError(l + " has no param '" + name + "': " + l.params());
    }

    private static void fill(Param p, int j, double scale) {
        MemorySegment s = p.value.data();
        for (long i = 0, n = p.value.size(); i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, formula(j, i, scale));
    }

    @Test
    void goldenForwardAndGradientsMatchPyTorch() {
        GoldenCase c = new GoldenCase("seed_network");
        try (Model m = seedNetwork().build(); Arena arena = Arena.ofShared()) {
            m.threads(2);
            List<Param> params = setFormulaWeights(m);
            for (int p = 0; p < params.size(); p++) {
                String nm = LAYER_NAMES[p / 2] + (p % 2 == 0 ? "_kernel" : "_bias");
                float[] first = c.array("w_" + nm);
                float[] mine = new float[first.length];
                for (int i = 0; i < mine.length; i++) mine[i] = params.get(p).value.get(i);
                assertArrayEquals(first, mine, "formula weights of " + nm + " differ from make_golden.py's");
            }
            int batch = c.integer("batch");
            Tensor x = Tensor.of(arena, c.array("x"), batch, 28, 28, 1);
            float[] target = c.array("target");
            Tensor y = m.forward(x, true);
            float[] yv = y.toArray();
            // Output: sigmoid of a chain of sums; the longest sum is the Dense layer's 3136 terms.
            Compare.check("seed_network y", c.array("y"), yv, 3136);
            double loss = 0;
            float[] g = new float[yv.length];
            for (int i = 0; i < yv.length; i++) {
                double d = (double) yv[i] - target[i];
                loss += d * d;
                g[i] = (float) (2 * d / yv.length);
            }
            loss /= yv.length;
            Compare.check("seed_network loss", c.array("loss"), new float[] {(float) loss}, 3136);
            m.backward(Tensor.of(arena, g, batch, 28, 28, 1));
            float[][] grads = new float[params.size()][];
            for (int p = 0; p < grads.length; p++) grads[p] = params.get(p).grad.toArray();
            // The inference plan (activation buffers shared between layers) must give the same output.
            Compare.check("seed_network y (inference plan)", c.array("y"), m.forward(x).toArray(), 3136);
            // Gradient sums: kernels and biases reduce over every output pixel of the batch (N*28*28 = 1568 at
            // most) after a chain of layers each adding its own rounding; K = 3136 bounds every chain.
            for (int p = 0; p < params.size(); p++) {
                String nm = LAYER_NAMES[p / 2] + (p % 2 == 0 ? "_kernel" : "_bias");
                int stride = c.integer("stride_" + nm);
                float[] ref = c.array("grad_" + nm);
                float[] got = new float[ref.length];
                for (int i = 0; i < ref.length; i++) got[i] = grads[p][i * stride];
                Compare.check("seed_network grad " + nm + (stride > 1 ? " (every " + stride + "th)" : ""), ref, got, 3136);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ training smoke test

    /**
     * Synthetic 28x28 images: 1-3 soft blobs and 1-2 anti-aliased strokes on black, values in [0,1]
     * (MNIST-like statistics: mostly background, some bright structure).
     */
    static void drawClean(SplittableRandom rng, float[] img, int off) {
        java.util.Arrays.fill(img, off, off + 784, 0f);
        int blobs = 1 + rng.nextInt(3), strokes = 1 + rng.nextInt(2);
        for (int b = 0; b < blobs; b++) {
            double cy = 5 + rng.nextDouble() * 18, cx = 5 + rng.nextDouble() * 18, r = 1.5 + rng.nextDouble() * 3;
            double amp = 0.6 + 0.4 * rng.nextDouble();
            for (int yy = 0; yy < 28; yy++)
                for (int xx = 0; xx < 28; xx++) {
                    double d2 = (yy - cy) * (yy - cy) + (xx - cx) * (xx - cx);
                    img[off + yy * 28 + xx] += (float) (amp * Math.exp(-d2 / (2 * r * r)));
                }
        }
        for (int s = 0; s < strokes; s++) {
            double y0 = 3 + rng.nextDouble() * 22, x0 = 3 + rng.nextDouble() * 22;
            double y1 = 3 + rng.nextDouble() * 22, x1 = 3 + rng.nextDouble() * 22, w = 0.8 + rng.nextDouble();
            double dy = y1 - y0, dx = x1 - x0, len2 = Math.max(dy * dy + dx * dx, 1e-9);
            for (int yy = 0; yy < 28; yy++)
                for (int xx = 0; xx < 28; xx++) {
                    double t = Math.clamp(((yy - y0) * dy + (xx - x0) * dx) / len2, 0.0, 1.0);
                    double ey = yy - (y0 + t * dy), ex = xx - (x0 + t * dx);
                    double dist = Math.sqrt(ey * ey + ex * ex);
                    img[off + yy * 28 + xx] += (float) Math.clamp(w + 0.5 - dist, 0.0, 1.0);
                }
        }
        for (int i = off; i < off + 784; i++) img[i] = Math.min(img[i], 1f);
    }

    /** Plain Adam (Kingma & Ba, Keras defaults beta1 0.9, beta2 0.999, eps 1e-7), state in heap arrays. */
    static final class Adam {
        final List<Param> params;
        final float[][] m, v;
        final double lr;
        int t;

        Adam(List<Param> params, double lr) {
            this.params = params;
            this.lr = lr;
            m = new float[params.size()][];
            v = new float[params.size()][];
            for (int i = 0; i < params.size(); i++) {
                m[i] = new float[Math.toIntExact(params.get(i).value.size())];
                v[i] = new float[m[i].length];
            }
        }

        void step() {
            t++;
            double c1 = 1 - Math.pow(0.9, t), c2 = 1 - Math.pow(0.999, t);
            float a = (float) (lr * Math.sqrt(c2) / c1);
            for (int i = 0; i < params.size(); i++) {
                Param p = params.get(i);
                if (!p.trainable) continue;
                MemorySegment w = p.value.data(), g = p.grad.data();
                float[] mi = m[i], vi = v[i];
                for (int k = 0; k < mi.length; k++) {
                    float gk = g.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, k);
                    mi[k] = 0.9f * mi[k] + 0.1f * gk;
                    vi[k] = 0.999f * vi[k] + 0.001f * gk * gk;
                    float wk = w.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, k);
                    w.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, k, wk - a * mi[k] / ((float) Math.sqrt(vi[k]) + 1e-7f));
                }
            }
        }
    }

    @Test
    void trainingReducesTheDenoisingLoss() {
        final int batch = 16, steps = 24;
        SplittableRandom rng = new SplittableRandom(20261125);
        try (Model m = seedNetwork().seed(7).build(); Arena arena = Arena.ofShared()) {
            m.threads(2);
            Adam adam = new Adam(m.params(), 1e-3);
            float[] clean = new float[batch * 784], noisy = new float[batch * 784], g = new float[batch * 784];
            Tensor x = Tensor.allocate(arena, batch, 28, 28, 1);
            Tensor gy = Tensor.allocate(arena, batch, 28, 28, 1);
            double[] losses = new double[steps];
            long[] stepMillis = new long[steps];
            // step 0 includes JIT compilation of the Vector API kernels (the per-step times printed show it)
            long cpu0 = processCpuNanos(), wall0 = System.nanoTime();
            for (int s = 0; s < steps; s++) {
                long t0 = System.nanoTime();
                for (int b = 0; b < batch; b++) drawClean(rng, clean, b * 784);
                for (int i = 0; i < noisy.length; i++) {
                    noisy[i] = (float) Math.clamp(clean[i] + 0.3 * gaussian(rng), 0.0, 1.0);
                }
                x.copyFrom(noisy);
                float[] y = m.forward(x, true).toArray();
                double loss = 0;
                for (int i = 0; i < y.length; i++) {
                    double d = (double) y[i] - clean[i];
                    loss += d * d;
                    g[i] = (float) (2 * d / y.length);
                }
                losses[s] = loss / y.length;
                assertTrue(Double.isFinite(losses[s]), "loss at step " + s + " is " + losses[s]);
                gy.copyFrom(g);
                m.backward(gy);
                adam.step();
                stepMillis[s] = (System.nanoTime() - t0) / 1_000_000;
            }
            double last = (losses[steps - 1] + losses[steps - 2] + losses[steps - 3]) / 3;
            System.out.printf("seed network training: MSE %.4f -> %.4f (mean of last 3) in %d steps of %d "
                            + "(%.1f s wall, %.1f s process CPU; ms per step %s)%n", losses[0], last, steps, batch,
                    (System.nanoTime() - wall0) / 1e9, (processCpuNanos() - cpu0) / 1e9, java.util.Arrays.toString(stepMillis));
            assertTrue(last < 0.7 * losses[0], "loss did not fall clearly: " + java.util.Arrays.toString(losses));
        }
    }

    /** CPU time of the whole JVM (the machine is shared, so wall time says little), or 0 if unavailable. */
    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2);
    }
}
