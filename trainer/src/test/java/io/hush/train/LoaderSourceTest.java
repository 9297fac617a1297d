package io.hush.train;

import io.hush.data.Augment;
import io.hush.data.Batch;
import io.hush.data.BatchLoader;
import io.hush.data.Dataset;
import io.hush.image.FloatImage;
import io.hush.noise.NoiseModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class LoaderSourceTest {
    /** Resuming mid-epoch through the adapter gives exactly the batches the loader makes at that position. */
    @Test
    void skipLandsOnTheSameBatches() {
        List<FloatImage> ims = new ArrayList<>();
        float[] all = TrainerTest.images(10, 4);
        for (int i = 0; i < 10; i++) ims.add(FloatImage.gray(12, 12, java.util.Arrays.copyOfRange(all, i * 144, (i + 1) * 144)));
        BatchLoader loader = new BatchLoader(Dataset.of(ims), BatchLoader.Config.training(8, 2, 3, Augment.DEFAULT,
                NoiseModel.parse("gaussian:25"), 5).withPrefetch(2));
        try (LoaderSource src = new LoaderSource(loader)) {
            assertEquals(7, src.batches()); // 20 samples in batches of 3
            src.epoch(1);
            src.skip(2);
            for (int b = 2; b < 7; b++) {
                Batch got = src.next();
                Batch want = loader.batch(1, b);
                assertArrayEquals(want.input(), got.input(), "noisy batch " + b);
                assertArrayEquals(want.target(), got.target(), "clean batch " + b);
                assertArrayEquals(want.images(), got.images(), "image indices of batch " + b);
                assertEquals(b == 6 ? 2 : 3, got.n());
            }
            src.epoch(2);
            assertArrayEquals(loader.batch(2, 0).input(), src.next().input());
            assertThrows(IllegalStateException.class, () -> src.skip(1));
        }
    }
}
