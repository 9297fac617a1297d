package io.hush.cli;

import io.hush.data.Dataset;
import io.hush.data.PairedFolder;
import io.hush.image.FloatImage;
import io.hush.noise.NoiseModel;

import java.io.IOException;
import java.util.List;

/**
 * The clean/noisy images {@code hush eval} scores, read one at a time: clean images with seeded synthetic noise
 * ({@link Synthetic}), or real noisy/clean pairs ({@link Paired}).
 */
sealed interface EvalSamples permits EvalSamples.Synthetic, EvalSamples.Paired {
    /** One scored image: the clean reference and the noisy input, the same size and channels. */
    record Sample(FloatImage clean, FloatImage noisy) {}

    int size();

    /** The name of sample i (a file name, or a pair's shared name). */
    String name(int i);

    /** Colour channels of the images (of the first one; loaders refuse mixed ones). */
    int channels() throws IOException;

    Sample get(int i) throws IOException;

    /** Clean images of a data set, each with its own noise drawn from {@code NoiseModel.imageSeed(seed, i)}. */
    record Synthetic(Dataset data, NoiseModel noise, long seed, boolean gray) implements EvalSamples {
        @Override public int size() { return data.size(); }

        @Override public String name(int i) { return data.name(i); }

        @Override public int channels() { return gray ? 1 : data.get(0).channels(); }

        @Override
        public Sample get(int i) {
            FloatImage clean = gray ? data.get(i).toGray() : data.get(i);
            return new Sample(clean, NoiseCommand.addNoise(clean, noise, NoiseModel.imageSeed(seed, i)));
        }
    }

    /** Real noisy/clean pairs, decoded when asked for. */
    record Paired(List<PairedFolder.Pair> pairs, boolean gray, long maxPixels) implements EvalSamples {
        @Override public int size() { return pairs.size(); }

        @Override public String name(int i) { return pairs.get(i).name(); }

        @Override public int channels() throws IOException { return get(0).clean().channels(); }

        @Override
        public Sample get(int i) throws IOException {
            PairedFolder.Loaded p = PairedFolder.read(pairs.get(i), gray, maxPixels);
            return new Sample(p.clean(), p.noisy());
        }
    }
}
