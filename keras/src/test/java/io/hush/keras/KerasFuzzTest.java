package io.hush.keras;

import io.hush.engine.Model;
import io.hush.engine.Tensor;
import io.hush.engine.graph.Node;
import io.hush.engine.io.ImportOptions;
import io.hush.engine.io.ModelFormatException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded mutation fuzzing of Keras files, as the {@code .hush} and ONNX readers are fuzzed. Contract for every
 * mutant: it loads to a model that runs, or loading throws one {@link ModelFormatException} of one line starting with
 * the file name; nothing else (no other exception, no Error), no hang (the campaign has a time limit), and memory
 * bounded by the file (a dataset is read only once its shape matched the layer's). Mutations: raw bytes of whole
 * files; bytes of the HDF5 weights inside a .keras (re-zipped, else the zip CRC would catch most); and values of the
 * config JSON (numbers set to extreme values, strings swapped), which reach the layer mapping far more often.
 */
class KerasFuzzTest {
    static final int ITERATIONS = Integer.getInteger("hush.fuzz.iterations", 200);
    static final long SEED = Long.getLong("hush.fuzz.seed", 20261130);
    static final String[] SEEDS = {"k3_legacy.h5", "k2_sequential.h5", "k3_channels_first.keras", "k3_convs.keras"};

    int loaded, rejected;

    void attempt(byte[] file, String name, String what) {
        try (Model m = KerasImporter.read(file, name, ImportOptions.DEFAULT)) {
            loaded++;
            runSmall(m);
        } catch (ModelFormatException e) {
            rejected++;
            String msg = e.getMessage();
            if (!msg.startsWith(name + ": ") || msg.contains("\n")) throw new AssertionError(what + ": " + msg, e);
        } catch (Throwable t) {
            throw new AssertionError(what + ": " + t, t);
        }
    }

    static void runSmall(Model m) {
        long total = 0;
        for (Node n : m.nodes()) total += n.shape().size();
        if (total > (1 << 18)) return;
        try (Arena a = Arena.ofShared()) {
            Tensor x = Tensor.allocate(a, m.inputShape().withBatch(1));
            for (long i = 0; i < x.size(); i++) x.set(i, (i % 7) / 7f);
            m.threads(1).forward(x);
        }
    }

    static byte[] mutateBytes(byte[] in, SplittableRandom r, StringBuilder what) {
        byte[] b = in.clone();
        int op = r.nextInt(4);
        int pos = r.nextInt(b.length);
        switch (op) {
            case 0 -> {
                for (int k = 1 + r.nextInt(8); k > 0; k--) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                what.append("flip ");
            }
            case 1 -> {
                b = java.util.Arrays.copyOf(b, pos);
                what.append("truncate@").append(pos).append(' ');
            }
            case 2 -> {
                byte[] vals = {0, (byte) 0xFF, 0x7F, (byte) 0x80, 1, 2};
                for (int k = 0; k < 1 + r.nextInt(4) && pos + k < b.length; k++) b[pos + k] = vals[r.nextInt(vals.length)];
                what.append("set@").append(pos).append(' ');
            }
            default -> {
                int len = 1 + r.nextInt(Math.min(64, b.length - pos));
                int to = r.nextInt(b.length);
                System.arraycopy(b, pos, b, to, Math.min(len, b.length - to));
                what.append("copy@").append(pos).append(' ');
            }
        }
        return b;
    }

    static final Pattern NUMBER = Pattern.compile("(?<=[:\\[ ,])-?\\d+(\\.\\d+)?(e-?\\d+)?");
    static final String[] EXTREME = {"0", "-1", "1", "2", "7", "4097", "1048576", "2147483648", "1e30", "-0.5", "NaN", "null",
            "\"same\"", "[]", "[1]", "{}", "true"};

    static final Pattern CLASS = Pattern.compile("\"class_name\": \"[A-Za-z0-9_]+\"");
    static final String[] CLASSES = {"Conv2D", "Dense", "Conv2DTranspose", "Flatten", "Reshape", "Add", "Concatenate", "InputLayer",
            "Functional", "Sequential", "BatchNormalization", "UpSampling2D", "Cropping2D", "Softmax", "__keras_tensor__", "LeakyReLU"};

    static String mutateJson(String c, SplittableRandom r, StringBuilder what) {
        if (r.nextInt(4) == 0) { // another layer class for a config written for one
            Matcher cm = CLASS.matcher(c);
            List<int[]> spans = new java.util.ArrayList<>();
            while (cm.find()) spans.add(new int[] {cm.start(), cm.end()});
            if (!spans.isEmpty()) {
                int[] sp = spans.get(r.nextInt(spans.size()));
                String v = CLASSES[r.nextInt(CLASSES.length)];
                what.append("class@").append(sp[0]).append('=').append(v).append(' ');
                return c.substring(0, sp[0]) + "\"class_name\": \"" + v + "\"" + c.substring(sp[1]);
            }
        }
        Matcher m = NUMBER.matcher(c);
        List<int[]> spans = new java.util.ArrayList<>();
        while (m.find()) spans.add(new int[] {m.start(), m.end()});
        String s = c;
        for (int k = 1 + r.nextInt(3); k > 0 && !spans.isEmpty(); k--) {
            int[] sp = spans.get(r.nextInt(spans.size()));
            if (sp[1] > s.length()) continue;
            String v = EXTREME[r.nextInt(EXTREME.length)];
            what.append("json@").append(sp[0]).append('=').append(v).append(' ');
            s = s.substring(0, sp[0]) + v + s.substring(sp[1]);
            spans.clear();
            m = NUMBER.matcher(s);
            while (m.find()) spans.add(new int[] {m.start(), m.end()});
        }
        return s;
    }

    @Test
    void mutatedFilesLoadAndRunOrFailCleanly() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            SplittableRandom master = new SplittableRandom(SEED);
            for (int it = 0; it < ITERATIONS; it++) {
                long seed = master.nextLong();
                SplittableRandom r = new SplittableRandom(seed);
                String fixture = SEEDS[r.nextInt(SEEDS.length)];
                byte[] base = Fixtures.bytes(fixture);
                StringBuilder what = new StringBuilder("iteration " + it + " (seed " + seed + ", " + fixture + ") ");
                String name = "fuzz" + fixture.substring(fixture.lastIndexOf('.'));
                if (fixture.endsWith(".keras") && r.nextInt(3) != 0) {
                    Map<String, byte[]> e = KerasErrorsTest.entries(fixture);
                    if (r.nextBoolean()) {
                        e.put("model.weights.h5", mutateBytes(e.get("model.weights.h5"), r, what.append("weights ")));
                    } else {
                        String c = new String(e.get("config.json"), StandardCharsets.UTF_8);
                        e.put("config.json", mutateJson(c, r, what).getBytes(StandardCharsets.UTF_8));
                    }
                    attempt(KerasErrorsTest.zip(e), name, what.toString());
                } else {
                    attempt(mutateBytes(base, r, what), name, what.toString());
                }
            }
        });
        assertTrue(loaded > 0 && rejected > ITERATIONS / 4, loaded + " loaded, " + rejected + " rejected");
    }
}
