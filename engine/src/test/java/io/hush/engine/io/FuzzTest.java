package io.hush.engine.io;

import io.hush.engine.Model;
import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.graph.Node;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded mutation fuzzing of valid files. Contract for every mutant: either it loads to a model whose forward pass
 * runs and gives the shape the model promises, or loading throws a {@link ModelFormatException} that names the file
 * and comes from a check of its own (not the reader's catch-all). Anything else (another exception, an Error) fails
 * with the iteration's seed so it can be replayed.
 *
 * <p>Most mutants are made inside the payload and re-wrapped with a correct checksum (else nearly all would stop at
 * the CRC and the decoder would go untested); the rest mutate the whole file.
 */
class FuzzTest {
    /** {@code -Dhush.fuzz.iterations=N -Dhush.fuzz.seed=S} run a longer or different campaign by hand. */
    static final int ITERATIONS = Integer.getInteger("hush.fuzz.iterations", 10_000);
    static final long SEED = Long.getLong("hush.fuzz.seed", 20261125);
    /** Mutants whose activations would exceed this many floats are checked by shape only, not run. */
    static final long RUN_LIMIT = 1 << 17;

    @Test
    void mutatedFilesLoadAndRunOrFailCleanly() throws Exception {
        List<byte[]> payloads = new ArrayList<>();
        for (byte[] f : SeedModels.files()) {
            payloads.add(Arrays.copyOfRange(f, HushFormat.HEADER_BYTES, f.length - HushFormat.TRAILER_BYTES));
        }
        SplittableRandom master = new SplittableRandom(SEED);
        int loaded = 0, rejected = 0, ran = 0;
        for (int it = 0; it < ITERATIONS; it++) {
            long seed = master.nextLong();
            SplittableRandom r = new SplittableRandom(seed);
            byte[] base = payloads.get(r.nextInt(payloads.size()));
            StringBuilder what = new StringBuilder();
            byte[] file;
            if (r.nextInt(5) == 0) {
                file = mutate(HushFormat.container(base, HushFormat.FORMAT_VERSION), payloads, r, what);
            } else {
                file = HushFormat.container(mutate(base, payloads, r, what), HushFormat.FORMAT_VERSION);
            }
            try (Model m = HushFormat.fromBytes(file, "fuzz.hush")) {
                loaded++;
                if (runForward(m)) ran++;
            } catch (ModelFormatException e) {
                rejected++;
                String msg = e.getMessage();
                if (!msg.startsWith("fuzz.hush: ") || msg.contains(HushFormat.INTERNAL)) {
                    throw new AssertionError("iteration " + it + " (seed " + seed + ", " + what + "): " + msg, e);
                }
            } catch (Throwable t) {
                throw new AssertionError("iteration " + it + " (seed " + seed + ", " + what + "): " + t, t);
            }
        }
        assertEquals(ITERATIONS, loaded + rejected);
        // not degenerate: a good share of mutants get past the parser, and some still load and run
        assertTrue(loaded > ITERATIONS / 50, "only " + loaded + " mutants loaded");
        assertTrue(rejected > ITERATIONS / 2, "only " + rejected + " mutants rejected");
        assertTrue(ran > 0, "no mutant ran");
    }

    /** Runs one forward pass on the model's own input shape if it is small; returns whether it ran. */
    static boolean runForward(Model m) {
        long total = 0;
        for (Node n : m.nodes()) total += n.shape().size();
        Shape out = m.outputShape(m.inputShape());
        if (total > RUN_LIMIT) return false;
        try (Arena a = Arena.ofShared()) { // shared: the pool's workers read it
            Tensor x = Tensor.allocate(a, m.inputShape().withBatch(1));
            for (long i = 0; i < x.size(); i++) x.set(i, (i % 7) / 7f);
            Tensor y = m.threads(1).forward(x); // one thread: no hand-off latency per layer, 10,000 times
            assertEquals(out.withBatch(1), y.shape());
        }
        return true;
    }

    static byte[] mutate(byte[] in, List<byte[]> donors, SplittableRandom r, StringBuilder what) {
        byte[] b = in;
        int rounds = 1 + r.nextInt(3);
        for (int k = 0; k < rounds; k++) {
            if (b.length == 0) break;
            int op = r.nextInt(7);
            int pos = r.nextInt(b.length);
            switch (op) {
                case 0 -> { // flip 1..8 bits
                    b = b.clone();
                    int flips = 1 + r.nextInt(8);
                    for (int i = 0; i < flips; i++) {
                        int p = r.nextInt(b.length);
                        b[p] ^= (byte) (1 << r.nextInt(8));
                    }
                    what.append("flip x").append(flips).append(' ');
                }
                case 1 -> { // truncate
                    b = Arrays.copyOf(b, pos);
                    what.append("truncate@").append(pos).append(' ');
                }
                case 2 -> { // splice a chunk of a donor file over or into this one
                    byte[] d = donors.get(r.nextInt(donors.size()));
                    int from = r.nextInt(d.length), len = 1 + r.nextInt(Math.min(64, d.length - from));
                    ByteArrayOutputStream o = new ByteArrayOutputStream();
                    o.write(b, 0, pos);
                    o.write(d, from, len);
                    int skip = r.nextBoolean() ? Math.min(len, b.length - pos) : 0;
                    o.write(b, pos + skip, b.length - pos - skip);
                    b = o.toByteArray();
                    what.append("splice@").append(pos).append('+').append(len).append(' ');
                }
                case 3 -> { // varint inflation: re-encode a byte as an overlong varint of the same value
                    if ((b[pos] & 0x80) != 0) break;
                    int extra = 1 + r.nextInt(10);
                    ByteArrayOutputStream o = new ByteArrayOutputStream();
                    o.write(b, 0, pos);
                    o.write(b[pos] | 0x80);
                    for (int i = 1; i < extra; i++) o.write(0x80);
                    o.write(0);
                    o.write(b, pos + 1, b.length - pos - 1);
                    b = o.toByteArray();
                    what.append("inflate@").append(pos).append('x').append(extra).append(' ');
                }
                case 4 -> { // a large varint where a small one was (lengths, counts, dims)
                    if ((b[pos] & 0x80) != 0) break;
                    long v = switch (r.nextInt(4)) {
                        case 0 -> 1L << (20 + r.nextInt(44));
                        case 1 -> -1L;
                        case 2 -> Integer.MAX_VALUE;
                        default -> (long) r.nextInt(1 << 16);
                    };
                    ByteArrayOutputStream o = new ByteArrayOutputStream();
                    o.write(b, 0, pos);
                    while ((v & ~0x7FL) != 0) {
                        o.write((int) (v & 0x7F) | 0x80);
                        v >>>= 7;
                    }
                    o.write((int) v);
                    o.write(b, pos + 1, b.length - pos - 1);
                    b = o.toByteArray();
                    what.append("bigvarint@").append(pos).append(' ');
                }
                case 5 -> { // interesting byte values
                    b = b.clone();
                    byte[] vals = {0, (byte) 0xFF, 0x7F, (byte) 0x80, 1, 2, 3};
                    b[pos] = vals[r.nextInt(vals.length)];
                    what.append("set@").append(pos).append(' ');
                }
                default -> { // duplicate a chunk in place
                    int len = 1 + r.nextInt(Math.min(32, b.length - pos));
                    ByteArrayOutputStream o = new ByteArrayOutputStream();
                    o.write(b, 0, pos + len);
                    o.write(b, pos, b.length - pos);
                    b = o.toByteArray();
                    what.append("dup@").append(pos).append('+').append(len).append(' ');
                }
            }
        }
        return b;
    }

    /**
     * Structure-aware: sets random scalar fields anywhere in the message tree (settings, dims, inputs, shapes) to
     * extreme values, so hostile settings reach the layer constructors and shape rules far more often than byte flips
     * manage. Same contract.
     */
    @Test
    void extremeFieldValuesLoadAndRunOrFailCleanly() throws Exception {
        List<io.hush.engine.io.proto.HushModel> seeds = new ArrayList<>();
        for (byte[] f : SeedModels.files()) {
            seeds.add(io.hush.engine.io.proto.HushModel.parseFrom(
                    Arrays.copyOfRange(f, HushFormat.HEADER_BYTES, f.length - HushFormat.TRAILER_BYTES)));
        }
        SplittableRandom master = new SplittableRandom(SEED + 1);
        int loaded = 0;
        for (int it = 0; it < ITERATIONS / 5; it++) {
            long seed = master.nextLong();
            SplittableRandom r = new SplittableRandom(seed);
            com.google.protobuf.Message.Builder b = seeds.get(r.nextInt(seeds.size())).toBuilder();
            StringBuilder what = new StringBuilder();
            for (int k = 1 + r.nextInt(3); k > 0; k--) mutateField(b, r, what, 0);
            byte[] file = HushFormat.container(b.build().toByteArray(), HushFormat.FORMAT_VERSION);
            try (Model m = HushFormat.fromBytes(file, "fuzz.hush")) {
                loaded++;
                runForward(m);
            } catch (ModelFormatException e) {
                if (!e.getMessage().startsWith("fuzz.hush: ") || e.getMessage().contains(HushFormat.INTERNAL)) {
                    throw new AssertionError("iteration " + it + " (seed " + seed + ", " + what + "): " + e.getMessage(), e);
                }
            } catch (Throwable t) {
                throw new AssertionError("iteration " + it + " (seed " + seed + ", " + what + "): " + t, t);
            }
        }
        assertTrue(loaded > ITERATIONS / 200, "only " + loaded + " mutants loaded");
    }

    /** Walks down random message fields and sets one scalar (or repeated scalar element) to an extreme value. */
    static void mutateField(com.google.protobuf.Message.Builder b, SplittableRandom r, StringBuilder what, int depth) {
        List<com.google.protobuf.Descriptors.FieldDescriptor> fields = b.getDescriptorForType().getFields();
        if (fields.isEmpty()) return;
        com.google.protobuf.Descriptors.FieldDescriptor f = fields.get(r.nextInt(fields.size()));
        var oneof = f.getRealContainingOneof();
        if (oneof != null && b.getOneofFieldDescriptor(oneof) != null && r.nextInt(8) != 0) {
            f = b.getOneofFieldDescriptor(oneof); // mostly mutate the settings a node has, rarely switch its type
        }
        what.append(f.getName());
        if (f.getJavaType() == com.google.protobuf.Descriptors.FieldDescriptor.JavaType.MESSAGE) {
            if (f.isMapField() || depth > 4) return;
            if (f.isRepeated()) {
                int n = b.getRepeatedFieldCount(f);
                if (n == 0) return;
                int i = r.nextInt(n);
                what.append('[').append(i).append("].");
                com.google.protobuf.Message.Builder sub = ((com.google.protobuf.Message) b.getRepeatedField(f, i)).toBuilder();
                mutateField(sub, r, what, depth + 1);
                b.setRepeatedField(f, i, sub.build());
            } else {
                what.append('.');
                com.google.protobuf.Message.Builder sub = ((com.google.protobuf.Message) b.getField(f)).toBuilder();
                mutateField(sub, r, what, depth + 1);
                b.setField(f, sub.build());
            }
            return;
        }
        Object v = extreme(f, r);
        if (v == null) return;
        what.append('=').append(v).append(' ');
        if (f.isRepeated()) {
            int n = b.getRepeatedFieldCount(f);
            if (n == 0 || r.nextInt(4) == 0) b.addRepeatedField(f, v);
            else b.setRepeatedField(f, r.nextInt(n), v);
        } else {
            b.setField(f, v);
        }
    }

    static Object extreme(com.google.protobuf.Descriptors.FieldDescriptor f, SplittableRandom r) {
        long[] ints = {0, 1, -1, 2, 3, 7, 64, 1 << 16, 1 << 20, 1 << 30, Integer.MAX_VALUE, Integer.MIN_VALUE};
        float[] floats = {0f, -0f, 1f, -1f, 0.5f, 1e-30f, 1e30f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE};
        return switch (f.getJavaType()) {
            case INT -> (int) ints[r.nextInt(ints.length)];
            case LONG -> r.nextInt(4) == 0 ? Long.MAX_VALUE >> r.nextInt(40) : ints[r.nextInt(ints.length)];
            case FLOAT -> floats[r.nextInt(floats.length)];
            case DOUBLE -> (double) floats[r.nextInt(floats.length)];
            case BOOLEAN -> r.nextBoolean();
            case ENUM -> {
                var values = f.getEnumType().getValues();
                yield values.get(r.nextInt(values.size()));
            }
            default -> null; // strings and bytes: the byte-level fuzz covers them
        };
    }

    @Test
    void everySeedModelIsValidAndRuns() throws Exception {
        for (byte[] f : SeedModels.files()) {
            try (Model m = HushFormat.fromBytes(f, "seed.hush")) {
                assertTrue(runForward(m));
            } catch (ModelFormatException e) {
                fail(e);
            }
        }
    }
}
