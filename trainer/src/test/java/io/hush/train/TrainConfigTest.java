package io.hush.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TrainConfigTest {
    @Test
    void presets() {
        TrainConfig m = TrainConfig.preset("seed-mnist");
        assertEquals("mnist", m.data);
        assertEquals("gaussian:102+clip", m.noise); // sigma 0.4 on [0,1]
        assertEquals(30, m.epochs);
        assertEquals(128, m.batch);
        assertEquals(TrainConfig.OptimizerKind.ADAM, m.optimizer);
        assertEquals(1e-3, m.lr);
        assertEquals("mse", m.loss);
        assertEquals("weights/seed-mnist.hush", m.out);
        assertEquals(TrainConfig.WeightInit.TORCH, m.init); // the PyTorch recipe the reference figure comes from
        TrainConfig f = TrainConfig.preset("seed-fashion");
        assertEquals("fashion", f.data);
        assertEquals("gaussian:51+clip", f.noise); // sigma 0.2
        assertEquals(10, f.epochs);
        assertEquals("weights/seed-fashion.hush", f.out);
        assertEquals(TrainConfig.WeightInit.GLOROT, f.init); // what weights/seed-fashion.hush was trained with
        TrainConfig g = TrainConfig.preset("gray-blind"); // the recipe of weights/gray-blind.hush
        assertEquals("train400", g.data);
        assertEquals("set12", g.val);
        assertEquals(Architectures.Arch.HALFRES, g.arch);
        assertEquals("gaussian:0-55+clip+q8", g.noise);
        assertTrue(g.residual);
        assertEquals(TrainConfig.Augmentation.DEFAULT, g.augment);
        assertEquals(TrainConfig.Augmentation.COLOR, TrainConfig.preset("color-blind").augment);
        assertEquals(TrainConfig.Augmentation.DEFAULT, TrainConfig.preset("color-real").augment); // color-real.hush's recipe
        assertEquals(64, g.patch);
        assertEquals(TrainConfig.ScheduleKind.COSINE, g.schedule);
        assertEquals(TrainConfig.MonitorKey.VAL_PSNR, g.monitor);
        assertEquals("weights/gray-blind.hush", g.out);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.preset("nope"));
        assertEquals("unknown preset 'nope' (known: " + String.join(", ", TrainConfig.presets()) + ")", e.getMessage());
        for (String p : TrainConfig.presets()) assertTrue(TrainConfig.preset(p).out.startsWith("weights/"), p);
        assertTrue(TrainConfig.presets().containsAll(List.of("gray-blind", "color-blind", "color-real")), TrainConfig.presets().toString());
    }

    /** Keys with a closed set of words read any case (and aliases), print their word, and refuse others by listing them. */
    @Test
    void choices() {
        TrainConfig c = new TrainConfig().set("optimizer", "AdamW").set("schedule", "none").set("augment", "default")
                .set("init", "torch").set("monitor", "val_ssim").set("arch", "conv-ae");
        assertEquals(TrainConfig.OptimizerKind.ADAMW, c.optimizer);
        assertEquals(TrainConfig.ScheduleKind.CONSTANT, c.schedule);
        assertEquals("constant", c.get("schedule"));
        assertTrue(c.toString().contains("\noptimizer = adamw\n") && c.toString().contains("\narch = conv-ae\n"), c.toString());
        assertTrue(c.toString().contains("\naugment = default\n") && c.toString().contains("\nmonitor = val_ssim\n"), c.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrainConfig().set("optimizer", "adan"));
        assertEquals("config key 'optimizer': 'adan' is not one of adam, adamw, sgd", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TrainConfig().set("schedule", "linear"));
        assertEquals("config key 'schedule': 'linear' is not one of constant, step, cosine, plateau", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TrainConfig().set("monitor", "psnr"));
        assertEquals("config key 'monitor': 'psnr' is not one of loss, val_loss, val_psnr, val_ssim", e.getMessage());
    }

    @Test
    void keyValueFileJsonAndOverrides(@TempDir Path dir) throws Exception {
        Path kv = dir.resolve("a.conf");
        Files.writeString(kv, "# comment\npreset = seed-fashion\nbatch_size: 64  # trailing\nbatch = 32\nlr=0.01\nresidual = true\n");
        TrainConfig c = new TrainConfig().load(kv);
        assertEquals("fashion", c.data);
        assertEquals(32, c.batch);
        assertEquals(0.01, c.lr);
        assertTrue(c.residual);
        Path json = dir.resolve("b.json");
        Files.writeString(json, "{\"loss\": \"0.84*ssim+0.16*l1\", \"epochs\": 3, \"clip-norm\": 1.5, \"noise\": \"gaussian:25\"}");
        c.load(json);
        assertEquals("0.84*ssim+0.16*l1", c.loss);
        assertEquals(3, c.epochs);
        assertEquals(1.5, c.clipNorm);
        c.override(List.of("--epochs=7", "seed=9", "--optimizer", "sgd", "--nesterov"));
        assertEquals(7, c.epochs);
        assertEquals(9, c.seed);
        assertEquals(TrainConfig.OptimizerKind.SGD, c.optimizer);
        assertTrue(c.nesterov);
        // round trip through toString
        Path back = dir.resolve("c.conf");
        Files.writeString(back, c.toString());
        assertEquals(c.values(), new TrainConfig().load(back).values());
    }

    @Test
    void errorsNameTheKey(@TempDir Path dir) throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrainConfig().set("epochz", "3"));
        assertTrue(e.getMessage().contains("unknown config key 'epochz'") && e.getMessage().contains("epochs"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TrainConfig().set("batch", "big"));
        assertTrue(e.getMessage().contains("'batch'") && e.getMessage().contains("int"), e.getMessage());
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "epochs 3\n");
        e = assertThrows(IllegalArgumentException.class, () -> new TrainConfig().load(bad));
        assertTrue(e.getMessage().contains("bad.conf") && e.getMessage().contains("line 1"), e.getMessage());
    }
}
