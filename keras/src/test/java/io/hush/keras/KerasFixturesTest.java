package io.hush.keras;

import io.hush.engine.Model;
import io.hush.engine.ModelCard;
import io.hush.engine.Shape;
import io.hush.engine.graph.Node;
import io.hush.engine.io.ImportOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every fixture (Keras's on-disk layouts, written by tools/keras/make_fixtures.py) imports and computes what the
 * independent numpy forward (tools/keras/keras_forward.py) computed, to 1e-4.
 */
class KerasFixturesTest {
    static final double TOL = 1e-4;

    static Model load(String file) throws Exception {
        return KerasImporter.read(Fixtures.bytes(file), file, ImportOptions.DEFAULT);
    }

    static void assertGolden(Model m, String base, String in, String out, boolean nchw) throws Exception {
        Fixtures.Npy x = Fixtures.npy(base + in), y = Fixtures.npy(base + out);
        int[] s = x.shape();
        float[] xs = x.data();
        int[] dims = s.clone();
        if (nchw) {
            xs = Fixtures.toNhwc(xs, s[0], s[1], s[2], s[3]);
            dims = new int[] {s[0], s[2], s[3], s[1]};
        }
        float[] got = Fixtures.run(m, xs, dims);
        double d = Fixtures.maxRelDiff(y.data(), got);
        assertTrue(d < TOL, base + ": max relative difference to the numpy golden " + d);
    }

    @ParameterizedTest
    @ValueSource(strings = {"k3_convs.keras", "k3_sequential.keras", "k3_merge.keras", "k2_sequential.h5", "k2_functional.h5",
            "k3_legacy.h5", "k22_model.h5", "k213_functional.keras"})
    void matchesNumpyGolden(String file) throws Exception {
        try (Model m = load(file)) {
            assertGolden(m, file.substring(0, file.lastIndexOf('.')), ".input.npy", ".output.npy", false);
        }
    }

    static List<String> types(Model m) {
        List<String> t = new ArrayList<>();
        for (Node n : m.nodes()) if (!n.isInput()) t.add(n.layer().type());
        return t;
    }

    @Test
    void convolutionSettingsAndSeparateActivations() throws Exception {
        try (Model m = load("k3_convs.keras")) {
            // 'elu' and 'softmax' activations become layers after their convolution
            assertEquals(List.of("Conv2D", "Conv2D", "Conv2DTranspose", "Conv2DTranspose", "ELU", "Conv2DTranspose", "Conv2D",
                    "Softmax"), types(m));
            assertEquals("up_b/elu", m.nodes().get(5).layer().name());
            assertEquals(Shape.of(28, 10, 3), m.outputShape());
        }
    }

    @Test
    void identityLayersVanishAndDropoutStays() throws Exception {
        try (Model m = load("k3_sequential.keras")) {
            List<String> t = types(m);
            assertEquals(2, t.stream().filter("Dropout"::equals).count(), t.toString()); // Dropout, SpatialDropout2D
            assertTrue(t.containsAll(List.of("ZeroPadding2D", "Cropping2D", "AveragePool2D", "UpSampling2D", "BatchNorm2D", "ELU",
                    "Softmax", "MaxPool2D")), t.toString());
            assertEquals(20 - 1, t.size(), t.toString()); // GaussianNoise is the identity at inference: no node
        }
    }

    @Test
    void nestedModelsAreInlinedWithTheirNames() throws Exception {
        try (Model m = load("k3_merge.keras")) {
            List<String> names = new ArrayList<>();
            for (Node n : m.nodes()) if (!n.isInput()) names.add(n.layer().name());
            assertTrue(names.containsAll(List.of("block/block_conv", "block/block_bn", "add/1", "add", "pixel_dense")), names.toString());
            // Dense on an image is a 1x1 convolution
            assertEquals("Conv2D", m.nodes().get(names.indexOf("pixel_dense") + 1).layer().type());
        }
        try (Model m = load("k2_functional.h5")) {
            assertTrue(types(m).contains("Subtract"));
            assertEquals("sequential/batch_normalization", m.nodes().get(3).layer().name());
        }
    }

    @Test
    void anySizeModelRunsAtOtherSizesAndSaysSoInItsCard() throws Exception {
        try (Model m = load("k2_functional.h5")) {
            ModelCard.InputContract c = m.card().input();
            assertTrue(c.anySize(), c.toString());
            assertEquals(1, c.sizeMultiple()); // the 2x transposed conv and the 2x pooling cancel: any size
            assertEquals(1, c.channels());
            assertEquals("gray", c.colorSpace());
            assertGolden(m, "k2_functional", ".input2.npy", ".output2.npy", false);
        }
        try (Model m = KerasImporter.read(Fixtures.bytes("k2_functional.h5"), "k2_functional.h5",
                ImportOptions.DEFAULT.withSize(24, 16))) {
            assertEquals(Shape.of(24, 16, 1), m.inputShape());
        }
    }

    @Test
    void channelsFirstModelImportsAsChannelsLast() throws Exception {
        try (Model m = load("k3_channels_first.keras")) {
            assertEquals(Shape.of(6, 5, 2), m.inputShape());
            assertTrue(m.card().extra().get("keras_data_format").startsWith("channels_first"));
            assertGolden(m, "k3_channels_first", ".input.npy", ".output.npy", true);
        }
        try (Model m = load("k3_cf_reshape.keras")) { // a Reshape((-1,)) of a [C,H,W] image: (c,h,w) feature order
            assertGolden(m, "k3_cf_reshape", ".input.npy", ".output.npy", true);
        }
    }

    @Test
    void legacyCardsRecordVersionAndSource() throws Exception {
        try (Model m = load("k2_sequential.h5")) {
            assertEquals("2.2.0", m.card().extra().get("keras_version"));
            assertEquals("keras-h5", m.card().extra().get("source_format"));
            assertEquals("k2_sequential.h5", m.card().extra().get("source"));
            assertEquals(ModelCard.InputContract.fixed(8, 8, 1, 0f, 1f).height(), m.card().input().height());
            assertEquals(Arrays.asList("Conv2D", "MaxPool2D", "BatchNorm2D", "Flatten", "Dense", "Dropout", "Dense", "Softmax"), types(m));
        }
    }
}
