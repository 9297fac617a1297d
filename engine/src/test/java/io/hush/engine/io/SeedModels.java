package io.hush.engine.io;

import io.hush.engine.Model;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.ActivationLayer;
import io.hush.engine.layers.Add;
import io.hush.engine.layers.BatchNorm2D;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Conv2DTranspose;
import io.hush.engine.layers.Dense;
import io.hush.engine.layers.Dropout;
import io.hush.engine.layers.Flatten;
import io.hush.engine.layers.MaxPool2D;
import io.hush.engine.layers.Padding;
import io.hush.engine.layers.Param;
import io.hush.engine.layers.Reshape;
import io.hush.engine.layers.Scale;
import io.hush.engine.layers.Subtract;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small valid models that together use every layer type and setting form, for round-trip and fuzz tests. */
final class SeedModels {
    private SeedModels() {}

    /** Parameter-free layers only, with a skip connection. */
    static Model parameterFree() {
        Model.Builder b = Model.builder(6, 5, 2);
        b.add(new Scale(2f, -0.5f));
        int s = b.current();
        b.add(new ActivationLayer(Activation.leakyRelu(0.2f)));
        b.add(new ActivationLayer(Activation.TANH));
        b.add(new Add(), s, b.current());
        b.add(new Subtract(), 0, b.current());
        b.add(new Dropout(0.25f));
        b.add(new Flatten());
        b.add(new Reshape(6, -1));
        b.add(new ActivationLayer(Activation.SIGMOID));
        return b.build();
    }

    /** A tiny DnCNN-style residual denoiser: conv, BatchNorm, conv, input minus predicted noise. */
    static Model residual() {
        Model.Builder b = Model.builder(9, 8, 1).seed(3);
        b.add(new Conv2D(4, 3, Activation.RELU));
        b.add(new Conv2D(4, 3, 3, 1, 1, Padding.SAME, 1, 1, false, Activation.LINEAR));
        b.add(new BatchNorm2D());
        b.add(new ActivationLayer(Activation.RELU));
        b.add(new Conv2D(1, 3));
        b.add(new Subtract(), 0, b.current());
        return randomized(b.build(), 3);
    }

    /** Every other setting form: explicit pads, dilation, strides, transposed convs, pooling, Dense on a flatten. */
    static Model everyForm() {
        Model.Builder b = Model.builder(8, 7, 2).seed(4);
        b.add(Conv2D.withPads(3, 3, 2, 1, 2, 1, 2, 0, 1, 2, 1, true, Activation.leakyRelu(0.1f)));
        b.add(BatchNorm2D.pytorch(0.1f, 1e-5f));
        b.add(new MaxPool2D(2, Padding.SAME));
        b.add(MaxPool2D.explicit(3, 2, 1, 2, 1, 0, 1, 1));
        b.add(new Conv2DTranspose(3, 3, 2, Padding.SAME, Activation.TANH));
        b.add(new Conv2DTranspose(2, 3, 2, 2, 2, Padding.VALID, 1, 0, 1, 1, false, Activation.SIGMOID));
        b.add(Conv2DTranspose.withPads(2, 2, 3, 1, 1, 1, 0, 0, 1, 0, 0, 1, 1, true, Activation.LINEAR));
        b.add(new Conv2D(2, 3, 2, Padding.VALID, Activation.RELU));
        b.add(new Flatten());
        b.add(new Dense(5, Activation.TANH));
        b.add(new Dense(3, Activation.LINEAR, false));
        b.add(new Reshape(1, 3));
        return randomized(b.build(), 4);
    }

    static List<Model> models() {
        return List.of(parameterFree(), residual(), everyForm());
    }

    /** Random values in every parameter (BatchNorm variances positive), so a mix-up of tensors cannot pass. */
    static Model randomized(Model m, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Param p : m.params()) {
            boolean variance = p.name.equals("moving_variance");
            for (long i = 0; i < p.value.size(); i++) {
                p.value.set(i, variance ? (float) r.nextDouble(0.5, 2) : (float) r.nextDouble(-0.7, 0.7));
            }
        }
        return m;
    }

    static List<byte[]> files() {
        List<byte[]> fs = new ArrayList<>();
        for (Model m : models()) {
            try (m) {
                m.card().name("seed").description("fuzz seed");
                for (Storage s : Storage.values()) fs.add(HushFormat.toBytes(m, s));
            }
        }
        return fs;
    }
}
