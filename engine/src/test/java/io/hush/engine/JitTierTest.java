package io.hush.engine;

import io.hush.engine.kernels.ActivationKernels;
import io.hush.engine.kernels.FastMath;
import io.hush.engine.kernels.Activation;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.JMException;
import javax.management.ObjectName;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Results are identical at every JIT tier: the {@link JitTierProbe} model (sigmoid and tanh layers) and FastMath
 * computed in a fresh child JVM after a warm-up that has C2 compile the activation kernels (checked in its code
 * list) equal, bit for bit, what a child JVM computes in the interpreter ({@code -Xint}) and with C1 only
 * ({@code -XX:TieredStopAtLevel=1}). Before FastMath, the Vector API's lanewise EXP/TANH ran SVML under C2 and Java code before, an ulp apart.
 */
class JitTierTest {

    @Test
    void interpreterC1AndC2GiveTheSameBits() throws Exception {
        // The C2 side runs in a fresh child JVM too: in this one, earlier tests may already have C2-compiled the
        // kernels' callers with the activation kernels inlined, so no code of their own would ever appear.
        String warm = runChild(List.of(), "c2");
        assertFalse(warm.startsWith("C2 did not compile"), warm);
        for (String tier : List.of("-Xint", "-XX:TieredStopAtLevel=1")) {
            String child = runChild(List.of(tier));
            assertEquals(warm.split(" ").length, child.split(" ").length, tier + ": value count");
            String[] w = warm.split(" "), c = child.split(" ");
            for (int i = 0; i < w.length; i++) {
                assertEquals(w[i], c[i], tier + " differs from C2 at value " + i + " (bits " + c[i] + " vs " + w[i] + ")");
            }
        }
    }

    /**
     * Hot loop until C2 has compiled the activation kernels (vector body and masked tail, FastMath inlined) and the
     * scalar forms, then the probe's bits; the model's other kernels do not depend on the tier (FMAs and adds only).
     * Returns a message starting "C2 did not compile" if that takes over 120 s.
     */
    static String warmUntilC2() {
        try (Model m = JitTierProbe.model(); Arena a = Arena.ofShared()) {
            Tensor x = JitTierProbe.input(a), y = Tensor.allocate(a, 2, 3);
            MemorySegment src = a.allocate(259 * 4L), dst = a.allocate(259 * 4L);
            for (int i = 0; i < 259; i++) src.setAtIndex(ValueLayout.JAVA_FLOAT, i, (i - 129) * 0.2f);
            float sink = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            for (int i = 0; ; i++) {
                ActivationKernels.apply(Activation.TANH, src, dst, 0, 259);
                ActivationKernels.apply(Activation.SIGMOID, src, dst, 0, 259);
                for (int k = 0; k < 50; k++) sink += FastMath.exp(k - 25f) + FastMath.tanh(k * 0.05f) + FastMath.sigmoid(k - 25f);
                if (i % 20 == 0) JitTierProbe.compute(m, x, y);
                if (i % 500 == 499 && c2Compiled(HOT)) break;
                if (System.nanoTime() > deadline) return "C2 did not compile " + HOT + " within 120 s of warm-up";
            }
            if (!Float.isFinite(sink)) return "C2 did not compile: non-finite warm-up sum";
            return JitTierProbe.hex(JitTierProbe.compute(m, x, y));
        }
    }

    /** Methods whose C2 code the in-process side must run. */
    static final List<String> HOT = List.of("io.hush.engine.kernels.ActivationKernels.tanh(",
            "io.hush.engine.kernels.ActivationKernels.sigmoid(", "io.hush.engine.kernels.FastMath.tanh(F)F",
            "io.hush.engine.kernels.FastMath.sigmoid(F)F", "io.hush.engine.kernels.FastMath.exp(F)F");

    /** Whether every method has live C2 (level 4) code, from the JVM's code list ("id level state method ..."). */
    static boolean c2Compiled(List<String> methods) {
        try {
            String list = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerCodelist",
                    new Object[] {null}, new String[] {String[].class.getName()});
            for (String method : methods) {
                boolean found = list.lines().map(l -> l.split(" ")).anyMatch(f -> f.length > 3 && f[1].equals("4")
                        && f[2].equals("0") && f[3].startsWith(method));
                if (!found) return false;
            }
            return true;
        } catch (JMException e) {
            throw new AssertionError("cannot read the JVM's code list", e);
        }
    }

    /** Runs {@link JitTierProbe#main} with {@code args} in a child JVM with {@code jvmFlags}; returns its output line. */
    private static String runChild(List<String> jvmFlags, String... args) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "-XX:+UseSerialGC", "-Xmx256m", "-Xshare:auto"));
        cmd.addAll(1, jvmFlags);
        // the same vector width as this JVM (e.g. -XX:MaxVectorSize=16 for 4 lanes): kernels' sums follow the lanes
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:MaxVectorSize=") || arg.startsWith("-XX:UseAVX=") || arg.startsWith("-XX:UseSSE=")) cmd.add(arg);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), JitTierProbe.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(150, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("child JVM " + cmd + " did not finish in 150 s");
        }
        assertEquals(0, p.exitValue(), "child JVM failed: " + cmd);
        return new String(out, StandardCharsets.UTF_8).trim();
    }
}
