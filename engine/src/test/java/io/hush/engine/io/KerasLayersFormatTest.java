package io.hush.engine.io;

import io.hush.engine.Model;
import io.hush.engine.graph.Node;
import io.hush.engine.io.proto.ConcatenateSettings;
import io.hush.engine.io.proto.Cropping2DSettings;
import io.hush.engine.io.proto.EluSettings;
import io.hush.engine.io.proto.HushModel;
import io.hush.engine.io.proto.Pads;
import io.hush.engine.io.proto.UpSampling2DSettings;
import io.hush.engine.layers.AveragePool2D;
import io.hush.engine.layers.Concatenate;
import io.hush.engine.layers.Flatten;
import io.hush.engine.layers.GlobalAveragePool2D;
import io.hush.engine.layers.Softmax;
import io.hush.engine.layers.UpSampling2D;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layers added for Keras import in the {@code .hush} format: bit-exact round trips of every setting, a fixture
 * written once ({@code formats/v1-keras-layers.hush}) that keeps loading and computing what it computed, hostile
 * settings refused with a message naming the node, and the seeded mutation fuzz of {@link FuzzTest} on a model made of
 * these layers (same contract: load and run, or one clean {@link ModelFormatException}).
 */
class KerasLayersFormatTest {
    @TempDir Path dir;

    /** Every new layer type and setting form in one small graph (with skips and a multi-input concatenation). */
    static Model kerasLayers() {
        Model.Builder b = Model.builder(8, 7, 2).seed(5);
        KerasLayerChain.addTo(b);
        b.add(new UpSampling2D(2));
        b.add(new AveragePool2D(2));
        b.add(new Softmax());
        int soft = b.current();
        b.add(new GlobalAveragePool2D(true));
        b.add(new Flatten());
        int flat = b.current();
        b.add(new GlobalAveragePool2D(), soft);
        b.add(new Concatenate(2), flat, b.current());
        return RandomWeights.apply(b.build(), 5);
    }

    /** Random parameters (not the init) so a wrong mapping shows. */
    static final class RandomWeights {
        static Model apply(Model m, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            for (var p : m.params()) for (long i = 0; i < p.value.size(); i++) p.value.set(i, (float) r.nextDouble(-0.5, 0.5));
            return m;
        }
    }

    static byte[] fileOf(Model m) {
        return HushFormat.toBytes(m, Storage.FLOAT32);
    }

    @Test
    void everyNewLayerRoundTripsBitExact() throws Exception {
        try (Model m = kerasLayers()) {
            Path f = dir.resolve("k.hush");
            m.save(f);
            try (Model r = Model.load(f)) {
                RoundTripTest.assertSameModel(m, r);
            }
            TreeSet<String> types = new TreeSet<>();
            for (Node n : m.nodes()) if (!n.isInput()) types.add(n.layer().type());
            assertTrue(types.containsAll(List.of("AveragePool2D", "UpSampling2D", "Multiply", "Concatenate", "ZeroPadding2D",
                    "Cropping2D", "GlobalAveragePool2D", "ELU", "Softmax")), types.toString());
        }
    }

    // ---------------- the fixture: written once, loaded forever ----------------

    static final String FIXTURE = "v1-keras-layers";

    @Test
    @EnabledIfSystemProperty(named = "hush.writeFormatFixtures", matches = "true")
    void writeFixture() throws Exception {
        Path f = FormatFixtures.DIR.resolve(FIXTURE + HushFormat.EXTENSION);
        if (Files.exists(f)) return; // never rewritten: it is what this version wrote
        try (Model m = kerasLayers()) {
            m.card().copyFrom(FormatFixtures.card(FIXTURE));
            HushFormat.save(m, f, Storage.FLOAT32);
        }
        try (Model loaded = Model.load(f)) {
            List<String> lines = new ArrayList<>();
            for (float v : RoundTripTest.run(loaded, FormatFixtures.input(loaded), 1)) lines.add(String.format(Locale.ROOT, "%a", v));
            Files.write(FormatFixtures.DIR.resolve(FIXTURE + ".expected"), lines);
        }
    }

    @Test
    void fixtureLoadsAndComputesAsWritten() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/formats/" + FIXTURE + ".hush")) {
            assertNotNull(in, FIXTURE + ".hush is missing (write it with -Dhush.writeFormatFixtures=true)");
            try (Model m = HushFormat.read(in, FIXTURE)) {
                OldFormatsTest.assertCard(m.card(), FIXTURE);
                OldFormatsTest.assertComputesAsWritten(m, FIXTURE);
                List<String> types = new ArrayList<>();
                for (Node n : m.nodes()) if (!n.isInput()) types.add(n.layer().type());
                assertEquals(List.of("Conv2D", "ZeroPadding2D", "Cropping2D", "AveragePool2D", "UpSampling2D", "Cropping2D",
                        "Multiply", "Concatenate", "ELU", "UpSampling2D", "AveragePool2D", "Softmax", "GlobalAveragePool2D",
                        "Flatten", "GlobalAveragePool2D", "Concatenate"), types);
            }
        }
    }

    // ---------------- hostile settings ----------------

    static HushModel valid() {
        try (Model m = kerasLayers()) {
            return ModelEncoder.encode(m, Storage.FLOAT32, Instant.EPOCH, "test");
        }
    }

    static int nodeOfType(HushModel m, String type) {
        for (int i = 0; i < m.getNodesCount(); i++) if (m.getNodes(i).getType().equals(type)) return i;
        throw new AssertionError(type);
    }

    @Test
    void hostileSettingsAreRefusedByName() {
        HushModel v = valid();
        int cat = nodeOfType(v, "Concatenate");
        HushModel.Builder b = v.toBuilder();
        b.setNodes(cat, b.getNodes(cat).toBuilder().clearInputs().addInputs(1).setConcatenate(ConcatenateSettings.getDefaultInstance()));
        HostileFileTest.rejects(b.build(), "node " + (cat + 1), "Concatenate takes 2..1024 inputs, got 1");

        int crop = nodeOfType(v, "Cropping2D");
        b = v.toBuilder();
        b.setNodes(crop, b.getNodes(crop).toBuilder().setCropping2D(Cropping2DSettings.newBuilder()
                .setCrops(Pads.newBuilder().setTop(5).setBottom(5))));
        HostileFileTest.rejects(b.build(), "node " + (crop + 1), "leaves nothing");

        b = v.toBuilder();
        b.setNodes(crop, b.getNodes(crop).toBuilder().setCropping2D(Cropping2DSettings.newBuilder()
                .setCrops(Pads.newBuilder().setTop(1 << 20))));
        HostileFileTest.rejects(b.build(), "larger than the limit of 4096");

        int up = nodeOfType(v, "UpSampling2D");
        b = v.toBuilder();
        b.setNodes(up, b.getNodes(up).toBuilder().setUpSampling2D(UpSampling2DSettings.newBuilder().setSizeH(4096).setSizeW(4096)));
        HostileFileTest.rejects(b.build(), "larger than the limit of " + ModelDecoder.MAX_ELEMENTS);

        int elu = nodeOfType(v, "ELU");
        b = v.toBuilder();
        b.setNodes(elu, b.getNodes(elu).toBuilder().setElu(EluSettings.newBuilder().setAlpha(Float.NaN)));
        HostileFileTest.rejects(b.build(), "ELU alpha must be finite");

        b = v.toBuilder();
        b.setNodes(elu, b.getNodes(elu).toBuilder().setType("Softmax"));
        HostileFileTest.rejects(b.build(), "type 'Softmax' does not match its settings (ELU)");
    }

    // ---------------- fuzz ----------------

    static final int ITERATIONS = Integer.getInteger("hush.fuzz.iterations", 2_000);

    @Test
    void mutatedFilesLoadAndRunOrFailCleanly() {
        byte[] f = fileOf(kerasLayers());
        byte[] base = Arrays.copyOfRange(f, HushFormat.HEADER_BYTES, f.length - HushFormat.TRAILER_BYTES);
        List<byte[]> donors = List.of(base);
        SplittableRandom master = new SplittableRandom(FuzzTest.SEED + 7);
        int loaded = 0, rejected = 0;
        for (int it = 0; it < ITERATIONS; it++) {
            long seed = master.nextLong();
            SplittableRandom r = new SplittableRandom(seed);
            StringBuilder what = new StringBuilder();
            byte[] file = HushFormat.container(FuzzTest.mutate(base, donors, r, what), HushFormat.FORMAT_VERSION);
            try (Model m = HushFormat.fromBytes(file, "fuzz.hush")) {
                loaded++;
                FuzzTest.runForward(m);
            } catch (ModelFormatException e) {
                rejected++;
                if (!e.getMessage().startsWith("fuzz.hush: ") || e.getMessage().contains(HushFormat.INTERNAL)) {
                    throw new AssertionError("iteration " + it + " (seed " + seed + ", " + what + "): " + e.getMessage(), e);
                }
            } catch (Throwable t) {
                throw new AssertionError("iteration " + it + " (seed " + seed + ", " + what + "): " + t, t);
            }
        }
        assertTrue(loaded > 0 && rejected > ITERATIONS / 2, loaded + " loaded, " + rejected + " rejected");
    }

    @Test
    void extremeFieldValuesLoadAndRunOrFailCleanly() {
        HushModel seedModel = valid();
        SplittableRandom master = new SplittableRandom(FuzzTest.SEED + 8);
        int loaded = 0;
        for (int it = 0; it < ITERATIONS / 4; it++) {
            long seed = master.nextLong();
            SplittableRandom r = new SplittableRandom(seed);
            com.google.protobuf.Message.Builder b = seedModel.toBuilder();
            StringBuilder what = new StringBuilder();
            for (int k = 1 + r.nextInt(3); k > 0; k--) FuzzTest.mutateField(b, r, what, 0);
            byte[] file = HushFormat.container(b.build().toByteArray(), HushFormat.FORMAT_VERSION);
            try (Model m = HushFormat.fromBytes(file, "fuzz.hush")) {
                loaded++;
                FuzzTest.runForward(m);
            } catch (ModelFormatException e) {
                if (!e.getMessage().startsWith("fuzz.hush: ") || e.getMessage().contains(HushFormat.INTERNAL)) {
                    throw new AssertionError("iteration " + it + " (seed " + seed + ", " + what + "): " + e.getMessage(), e);
                }
            } catch (Throwable t) {
                throw new AssertionError("iteration " + it + " (seed " + seed + ", " + what + "): " + t, t);
            }
        }
        assertTrue(loaded > 0, "no mutant loaded");
    }
}
