package io.hush.train;

import io.hush.data.DataPaths;
import io.hush.engine.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TrainingTest {
    /** A tiny MNIST run end to end: IDX data, on-the-fly noise, keep-best model with its card, log, plots, checkpoint. */
    @Test
    void smallMnistRun(@TempDir Path dir) throws Exception {
        assumeTrue(DataPaths.check(DataPaths.available("mnist-train-images-idx3-ubyte.gz"), "MNIST not found under " + DataPaths.root()), "MNIST not found under " + DataPaths.root() + ": skipped");
        TrainConfig cfg = TrainConfig.preset("seed-mnist").override(List.of(
                "arch=dense-ae", "code=16", "epochs=2", "batch=16", "trainLimit=48", "valLimit=16", "threads=1",
                "out=" + dir.resolve("m.hush"), "runDir=" + dir.resolve("run"), "samples=4", "lr=0.01"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Training.Result r = Training.run(cfg, new PrintStream(log));
        assertEquals(2, r.history().size());
        assertTrue(r.history().get("val_loss")[1] < r.history().get("val_loss")[0], r.history().toString());
        for (String f : new String[] {"log.csv", "history.png", "samples.png", "last.ckpt", "last.hush", "config.txt"}) {
            assertTrue(Files.exists(r.runDir().resolve(f)), f);
        }
        try (Model m = Model.load(r.model())) {
            assertEquals("seed-mnist", m.card().name());
            assertEquals(0.4f, m.card().noise().sigma(), 0.002f);
            assertFalse(m.card().metrics().isEmpty());
            String config = m.card().extra().get("train.config");
            assertTrue(config.contains("\nout = m.hush\n") && config.contains("\nrunDir = run\n"), config);
            assertFalse(config.contains(dir.toString()), "no machine paths in the card: " + config);
        }
        // resume=true with the run finished: nothing left to train, same history
        cfg.resume = true;
        Training.Result again = Training.run(cfg, new PrintStream(new ByteArrayOutputStream()));
        assertEquals(r.history().get("val_loss")[1], again.history().get("val_loss")[1], 0.0);

        // initFrom: a new run starts from the saved weights (its first validation is the saved model's), and a model
        // of another shape is refused with a message naming the parameter
        TrainConfig warm = TrainConfig.preset("seed-mnist").override(List.of(
                "arch=dense-ae", "code=16", "epochs=1", "batch=16", "trainLimit=48", "valLimit=16", "threads=1", "lr=1e-30",
                "out=" + dir.resolve("w.hush"), "runDir=" + dir.resolve("warm"), "initFrom=" + r.runDir().resolve("last.hush")));
        Training.Result w = Training.run(warm, new PrintStream(new ByteArrayOutputStream()));
        assertEquals(r.history().get("val_loss")[1], w.history().get("val_loss")[0], 1e-6, "(almost) no step from the saved weights");
        warm.initFrom = r.runDir().resolve("last.hush").toString();
        warm.code = 8;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Training.run(warm, new PrintStream(new ByteArrayOutputStream())));
        assertTrue(e.getMessage().contains("initFrom") && e.getMessage().contains("kernel"), e.getMessage());
    }

    @Test
    void cardConfigKeepsNoMachinePaths(@TempDir Path dir) {
        TrainConfig cfg = TrainConfig.preset("color-blind").override(List.of("out=" + dir.resolve("w/color-blind.hush"),
                "runDir=" + dir.resolve("runs/cb"), "initFrom=" + dir.resolve("start.hush")));
        String inside = Training.cardConfig(cfg, dir);
        assertTrue(inside.contains("\nout = w/color-blind.hush\n") && inside.contains("\nrunDir = runs/cb\n")
                && inside.contains("\ninitFrom = start.hush\n"), inside);
        String outside = Training.cardConfig(cfg, dir.resolve("elsewhere"));
        assertTrue(outside.contains("\nout = color-blind.hush\n") && outside.contains("\nrunDir = cb\n"), outside);
        assertFalse(inside.contains(dir.toString()) || outside.contains(dir.toString()), outside);
        assertTrue(inside.contains("\naugment = color\n"), "other keys as they are: " + inside);
    }
}
