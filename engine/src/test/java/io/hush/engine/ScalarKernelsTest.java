package io.hush.engine;

import io.hush.engine.kernels.ConvKernels;
import io.hush.engine.kernels.ConvGeom;
import io.hush.engine.kernels.Gemm;
import io.hush.engine.kernels.KernelSet;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Dense;
import io.hush.engine.layers.Flatten;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * End to end: small models' forward passes in a child JVM started with {@code -Dhush.kernels=scalar} (every kernel
 * the plain scalar reference) equal this JVM's SIMD results within float tolerance. The models run every
 * convolution path the dispatcher picks under SIMD (direct, few output channels, Winograd F(2x2,3x3) and F(4x4,3x3),
 * transposed convolution), batch normalisation, max pooling, and Dense at a few rows and at many. The child also
 * reports the paths its dispatchers pick, which must all be the scalar ones.
 */
class ScalarKernelsTest {

    /** conv3x3 (3→33) → conv3x3 (33→40: F(4x4,3x3) under SIMD) → conv3x3 (40→1: few output channels) → dense 7. */
    static Model wide() {
        Model.Builder b = Model.builder(7, 9, 3).seed(13);
        b.add(new Conv2D(33, 3, Activation.RELU));
        b.add(new Conv2D(40, 3, Activation.TANH));
        b.add(new Conv2D(1, 3, Activation.LINEAR));
        b.add(new Flatten()).add(new Dense(7, Activation.SIGMOID));
        return ConcurrencyModels.randomize(b.build(), 9);
    }

    /** The outputs of the three probe models (batch 2, batch 3 and 5 through Dense, batch 2), in order. */
    static float[] outputs() {
        List<float[]> parts = new ArrayList<>();
        try (Model conv = ConcurrencyModels.conv(); Model dense = ConcurrencyModels.dense(); Model wide = wide()) {
            parts.add(conv.predict(ConcurrencyModels.input(2 * 8 * 8 * 2, 1), 2));
            parts.add(dense.predict(ConcurrencyModels.input(3 * 6 * 6 * 3, 2), 3));   // GEMV rows under SIMD
            parts.add(dense.predict(ConcurrencyModels.input(5 * 6 * 6 * 3, 3), 5));   // blocked
            parts.add(wide.predict(ConcurrencyModels.input(2 * 7 * 9 * 3, 4), 2));
        }
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] all = new float[n];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, o, p.length);
            o += p.length;
        }
        return all;
    }

    /** The paths the dispatchers pick for a wide 3x3 layer and a small GEMM, for the child to report. */
    static String paths() {
        ConvGeom g = new ConvGeom(1, 8, 8, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1);
        return KernelSet.ACTIVE + " " + ConvKernels.forwardPath(g) + " " + ConvKernels.backwardDataPath(g) + " "
                + ConvKernels.weightGradPath(g) + " " + Gemm.path(1, 1, 8, 1);
    }

    /** Child JVM side: the paths on the first line, then the outputs as float bit patterns (8 hex digits each). */
    public static void main(String[] args) {
        StringBuilder sb = new StringBuilder(paths()).append('\n');
        for (float v : outputs()) sb.append(String.format("%08x ", Float.floatToRawIntBits(v)));
        System.out.println(sb.toString().trim());
    }

    @Test
    void scalarKernelsInAChildJvmMatchSimd() throws Exception {
        float[] simd = outputs();
        List<String> lines = runChild();
        assertEquals("SCALAR SCALAR SCALAR SCALAR SCALAR", lines.get(0), "paths picked under -Dhush.kernels=scalar");
        String[] hex = lines.get(1).split(" ");
        assertEquals(simd.length, hex.length, "values from the child");
        for (int i = 0; i < simd.length; i++) {
            float s = Float.intBitsToFloat(Integer.parseUnsignedInt(hex[i], 16));
            if (!(Math.abs(s - simd[i]) <= 1e-4f * (1 + Math.abs(s)))) {
                fail("output " + i + ": scalar kernels " + s + ", SIMD kernels " + simd[i]);
            }
        }
    }

    /** Runs {@link #main} in a child JVM with {@code -Dhush.kernels=scalar}; returns its output lines. */
    private static List<String> runChild() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "-Dhush.kernels=scalar", "--add-modules", "jdk.incubator.vector",
                "-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:MaxVectorSize=")) cmd.add(arg);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ScalarKernelsTest.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("child JVM did not finish in 120 s: " + cmd);
        }
        assertEquals(0, p.exitValue(), "child JVM failed: " + cmd);
        List<String> lines = new String(out, StandardCharsets.UTF_8).trim().lines().toList();
        assertEquals(2, lines.size(), "child output: " + lines);
        return lines;
    }
}
