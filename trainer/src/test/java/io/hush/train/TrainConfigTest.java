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
        assertEquals("adam", m.optimizer);
        assertEquals(1e-3, m.lr);
        assertEquals("mse", m.loss);
        assertEquals("weights/seed-mnist.hush", m.out);
        assertEquals("torch", m.init); // the PyTorch recipe the reference figure comes from
        TrainConfig f = TrainConfig.preset("seed-fashion");
        assertEquals("fashion", f.data);
        assertEquals("gaussian:51+clip", f.noise); // sigma 0.2
        assertEquals(10, f.epochs);
        assertEquals("weights/seed-fashion.hush", f.out);
        assertEquals("glorot", f.init); // what weights/seed-fashion.hush was trained with
        TrainConfig g = TrainConfig.preset("gray-blind"); // the recipe of weights/gray-blind.hush
        assertEquals("train400", g.data);
        assertEquals("set12", g.val);
        assertEquals("halfres", g.arch);
        assertEquals("gaussian:0-55+clip+q8", g.noise);
        assertTrue(g.residual);
        assertEquals("default", g.augment);
        assertEquals(64, g.patch);
        assertEquals("cosine", g.schedule);
        assertEquals("val_psnr", g.monitor);
        assertEquals("weights/gray-blind.hush", g.out);
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.preset("nope"));
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
        assertEquals("sgd", c.optimizer);
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
