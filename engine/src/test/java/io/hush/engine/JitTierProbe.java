package io.hush.engine;

import io.hush.engine.kernels.FastMath;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Dense;
import io.hush.engine.layers.Flatten;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.Arena;

/**
 * What {@link JitTierTest} compares across JIT tiers: a small sigmoid/tanh model's output and FastMath's scalar and
 * vector exp/sigmoid/tanh over a spread of inputs, as float bit patterns. Its {@code main} prints them (8 hex digits
 * a value, one line) for a child JVM started with {@code -Xint} or {@code -XX:TieredStopAtLevel=1}.
 */
public final class JitTierProbe {
    private JitTierProbe() {}

    /** [2,6,6,2] → conv3x3(6, tanh) → conv3x3(4, sigmoid) → flatten → dense(10, tanh) → dense(3, sigmoid). */
    static Model model() {
        Model.Builder b = Model.builder(6, 6, 2).seed(5);
        b.add(new Conv2D(6, 3, Activation.TANH)).add(new Conv2D(4, 3, Activation.SIGMOID));
        b.add(new Flatten()).add(new Dense(10, Activation.TANH)).add(new Dense(3, Activation.SIGMOID));
        return ConcurrencyModels.randomize(b.build(), 8).threads(1);
    }

    /** Inputs for the functions: a spread over [-100, 100] plus the edges of each function's code paths. */
    static float[] mathInputs() {
        int n = 160; // a multiple of every lane count (4, 8, 16); small, so the warm-up stays quick
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (-100 + 200.0 * i / n + 1e-3 * i);
        float[] edges = {0f, -0f, 0.75f, -0.75f, 88.72f, -87.3f, -103.9f, 1e-20f};
        System.arraycopy(edges, 0, x, 0, edges.length);
        return x;
    }

    /** The probe's fixed model input [2,6,6,2]. */
    static Tensor input(Arena a) {
        return Tensor.of(a, ConcurrencyModels.input(2 * 6 * 6 * 2, 21), 2, 6, 6, 2);
    }

    /** The model's output for {@code x} (into {@code y}), then FastMath scalar and vector results: raw float bits. */
    static int[] compute(Model m, Tensor in, Tensor y) {
        float[] xs = mathInputs();
        m.forward(in, y);
        int vl = FloatVector.SPECIES_PREFERRED.length();
        int[] out = new int[(int) y.size() + 6 * xs.length];
        int o = 0;
        for (float v : y.toArray()) out[o++] = Float.floatToRawIntBits(v);
        for (float x : xs) out[o++] = Float.floatToRawIntBits(FastMath.exp(x));
        for (float x : xs) out[o++] = Float.floatToRawIntBits(FastMath.sigmoid(x));
        for (float x : xs) out[o++] = Float.floatToRawIntBits(FastMath.tanh(x));
        float[] lanes = new float[vl];
        for (int f = 0; f < 3; f++) {
            for (int i = 0; i < xs.length; i += vl) {
                FloatVector v = FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, xs, i);
                (f == 0 ? FastMath.exp(v) : f == 1 ? FastMath.sigmoid(v) : FastMath.tanh(v)).intoArray(lanes, 0);
                for (float l : lanes) out[o++] = Float.floatToRawIntBits(l);
            }
        }
        return out;
    }

    static String hex(int[] bits) {
        StringBuilder sb = new StringBuilder(bits.length * 9);
        for (int b : bits) sb.append(String.format("%08x ", b));
        return sb.toString().trim();
    }

    /** Prints the bits; with the argument {@code c2}, after {@link JitTierTest#warmUntilC2} (or its failure). */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("c2")) {
            System.out.println(JitTierTest.warmUntilC2());
            return;
        }
        try (Model m = model(); Arena a = Arena.ofShared()) {
            System.out.println(hex(compute(m, input(a), Tensor.allocate(a, 2, 3))));
        }
    }
}
