package io.hush.denoise;

import io.hush.engine.Model;
import io.hush.engine.ModelCard;
import io.hush.engine.layers.Scale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whether a model outputs the noise: the card's own field, and the older text rules for files without it. */
class ModelOutputTest {
    @TempDir Path dir;

    private static Model scale() {
        return Model.builder(8, 8, 1).add(new Scale(0.25f)).build();
    }

    @Test
    void theCardFieldDecidesAndSurvivesSaveAndLoad() throws Exception {
        for (ModelCard.Output o : new ModelCard.Output[] {ModelCard.Output.NOISE, ModelCard.Output.CLEAN}) {
            Path p = dir.resolve(o + ".hush");
            try (Model m = scale()) {
                m.card().output(o);
                // the field wins over the free text of an older trainer
                m.card().extra().put("train.config", "arch = dncnn\nresidual = " + (o == ModelCard.Output.CLEAN) + "\n");
                assertEquals(o == ModelCard.Output.NOISE, ModelDenoiser.predictsNoise(m));
                m.save(p);
            }
            try (Model back = Model.load(p)) {
                assertEquals(o, back.card().output());
                assertEquals(o == ModelCard.Output.NOISE, ModelDenoiser.predictsNoise(back));
            }
        }
    }

    @Test
    void filesWithoutTheFieldFallBackToTheTrainConfigTextAndMetadata() throws Exception {
        try (Model m = scale()) {
            assertEquals(ModelCard.Output.UNKNOWN, m.card().output());
            assertFalse(ModelDenoiser.predictsNoise(m));
            m.card().extra().put("train.config", "arch = dncnn\nresidual = true\n");
            assertTrue(ModelDenoiser.predictsNoise(m));
            m.card().extra().put("hush.output", "clean");
            assertFalse(ModelDenoiser.predictsNoise(m), "metadata hush.output comes before the training text");
            m.card().extra().put("hush.output", "residual");
            assertTrue(ModelDenoiser.predictsNoise(m));
        }
        // a file written before the field existed reads as UNKNOWN
        try (InputStream in = ModelOutputTest.class.getResourceAsStream("/formats/v1-residual-f16.hush")) {
            assertNotNull(in, "fixture /formats/v1-residual-f16.hush");
            try (Model old = Model.load(in)) {
                assertEquals(ModelCard.Output.UNKNOWN, old.card().output());
            }
        }
    }
}
