package io.hush.train;

import io.hush.engine.Model;
import io.hush.engine.graph.Node;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.Add;
import io.hush.engine.layers.ActivationLayer;
import io.hush.engine.layers.BatchNorm2D;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Conv2DTranspose;
import io.hush.engine.layers.Dense;
import io.hush.engine.layers.Dropout;
import io.hush.engine.layers.Flatten;
import io.hush.engine.layers.MaxPool2D;
import io.hush.engine.layers.Padding;
import io.hush.engine.layers.Reshape;
import io.hush.engine.layers.Subtract;

/**
 * Network factory: the seed network, DnCNN and a few bottleneck autoencoders. Every model is built from a seed
 * (weights are a pure function of it). Autoencoders name their code layer {@value #LATENT}; {@link #node} finds its
 * node id for activity regularisation ({@code Trainer.activityRegularizer}).
 *
 * <p>Residual learning two ways: train a noise-predicting network with {@code Trainer.residual(true)} (the trainer
 * computes {@code input - output} and its gradient), or build the subtraction into the graph, as
 * {@link #dncnn(int, int, int, int, int, boolean, boolean) dncnn(..., inGraphResidual=true)} does with
 * {@code add(new Subtract(), 0, noiseNode)}, so the saved model outputs the clean image directly; train that one
 * with {@code residual(false)}.
 */
public final class Architectures {
    public static final String LATENT = "latent";

    private Architectures() {}

    /**
     * The seed network (28x28x1, as in the engine's seed-network test): Conv 32 + MaxPool, Conv 64 + MaxPool,
     * Flatten, Dense 3136 ReLU, Reshape 7x7x64, two stride-2 Conv2DTranspose (64, 32) and a 3x3 sigmoid Conv to one
     * channel; all 3x3, SAME, ReLU. About 9.9M parameters, almost all in the dense layer.
     */
    public static Model seed(long seed) { return seed(28, 28, 1, seed); }

    /** The seed network for other input sizes (h and w divisible by 4). */
    public static Model seed(int h, int w, int c, long seed) {
        if (h % 4 != 0 || w % 4 != 0) throw new IllegalArgumentException("seed network needs sides divisible by 4, got " + h + "x" + w);
        int h4 = h / 4, w4 = w / 4;
        return Model.builder(h, w, c).seed(seed)
                .add(new Conv2D(32, 3, 1, Padding.SAME, Activation.RELU))
                .add(new MaxPool2D(2, Padding.SAME))
                .add(new Conv2D(64, 3, 1, Padding.SAME, Activation.RELU))
                .add(new MaxPool2D(2, Padding.SAME))
                .add(new Flatten())
                .add(new Dense(h4 * w4 * 64, Activation.RELU).name(LATENT))
                .add(new Reshape(h4, w4, 64))
                .add(new Conv2DTranspose(64, 3, 2, Padding.SAME, Activation.RELU))
                .add(new Conv2DTranspose(32, 3, 2, Padding.SAME, Activation.RELU))
                .add(new Conv2D(c, 3, 1, Padding.SAME, Activation.SIGMOID))
                .build();
    }

    /**
     * DnCNN (Zhang et al. 2017): Conv+ReLU, {@code depth-2} x (Conv [+BatchNorm] + ReLU), Conv to {@code c}
     * channels; 3x3, SAME, {@code channels} wide (the paper: depth 17, 64 channels, BatchNorm). Fully convolutional:
     * {@code h x w} is the training patch size; it runs on any image size. Without {@code inGraphResidual} it predicts
     * the noise (train with {@code residual(true)}); with it, a final Subtract makes it output {@code input - noise}.
     */
    public static Model dncnn(int h, int w, int c, int depth, int channels, boolean batchNorm, boolean inGraphResidual, long seed) {
        if (depth < 2) throw new IllegalArgumentException("DnCNN depth must be >= 2, got " + depth);
        Model.Builder b = Model.builder(h, w, c).seed(seed).add(new Conv2D(channels, 3, 1, Padding.SAME, Activation.RELU));
        for (int i = 0; i < depth - 2; i++) {
            convBnRelu(b, channels, batchNorm);
        }
        b.add(new Conv2D(c, 3, 1, Padding.SAME, Activation.LINEAR));
        if (inGraphResidual) b.add(new Subtract(), 0, b.current());
        return b.build();
    }

    /**
     * Half-resolution DnCNN with a full-resolution skip (in the spirit of FFDNet, Zhang et al. 2018): the expensive
     * 3x3 layers run on a quarter of the pixels, so a 512x512 image costs about a fifth of DnCNN-17 and the receptive
     * field doubles. Predicts the noise (train with {@code residual(true)}).
     * <pre>
     *   [H,W,c]     Conv 3x3, channels/2, ReLU                      -> skip   (full resolution)
     *   [H/2,W/2]   Conv 3x3 stride 2, channels, ReLU
     *   [H/2,W/2]   depth x (Conv 3x3, channels [+BatchNorm], ReLU)
     *   [H,W]       Conv2DTranspose 3x3 stride 2, channels/2, ReLU;  Add(skip)
     *   [H,W]       Conv 3x3, channels/2, ReLU;  Conv 3x3 to c channels (linear)
     * </pre>
     * Sides must be even (the tiler pads images to a multiple of 2).
     */
    public static Model halfRes(int h, int w, int c, int depth, int channels, boolean batchNorm, long seed) {
        if (depth < 1) throw new IllegalArgumentException("half-resolution DnCNN depth must be >= 1, got " + depth);
        if (h % 2 != 0 || w % 2 != 0) throw new IllegalArgumentException("half-resolution DnCNN needs even sides, got " + h + "x" + w);
        int half = Math.max(1, channels / 2);
        Model.Builder b = Model.builder(h, w, c).seed(seed).add(new Conv2D(half, 3, 1, Padding.SAME, Activation.RELU));
        int skip = b.current();
        b.add(new Conv2D(channels, 3, 2, Padding.SAME, Activation.RELU));
        for (int i = 0; i < depth; i++) {
            convBnRelu(b, channels, batchNorm);
        }
        b.add(new Conv2DTranspose(half, 3, 2, Padding.SAME, Activation.RELU));
        b.add(new Add(), skip, b.current());
        b.add(new Conv2D(half, 3, 1, Padding.SAME, Activation.RELU));
        b.add(new Conv2D(c, 3, 1, Padding.SAME, Activation.LINEAR));
        return b.build();
    }

    /** One 3x3 SAME layer + ReLU: Conv without bias + BatchNorm + ReLU, or Conv with bias and fused ReLU. */
    private static void convBnRelu(Model.Builder b, int channels, boolean batchNorm) {
        if (batchNorm) {
            b.add(new Conv2D(channels, 3, 3, 1, 1, Padding.SAME, 1, 1, false, Activation.LINEAR))
                    .add(new BatchNorm2D())
                    .add(new ActivationLayer(Activation.RELU));
        } else {
            b.add(new Conv2D(channels, 3, 1, Padding.SAME, Activation.RELU));
        }
    }

    /** DnCNN on 40x40 patches predicting the noise. */
    public static Model dncnn(int depth, int channels, boolean batchNorm) {
        return dncnn(40, 40, 1, depth, channels, batchNorm, false, 42);
    }

    /** Same as the 8-argument form with seed 42 and no in-graph residual (kept short for configs). */
    public static Model dncnn(int h, int w, int c, int depth, int channels, boolean batchNorm, boolean inGraphResidual) {
        return dncnn(h, w, c, depth, channels, batchNorm, inGraphResidual, 42);
    }

    /**
     * Dense bottleneck autoencoder: Flatten, Dense(hidden, ReLU), Dense(code, sigmoid) named {@value #LATENT} (a
     * sigmoid code suits KL sparsity), Dense(hidden, ReLU), Dense(h*w*c, sigmoid), Reshape; optional dropout on the
     * input of the encoder (denoising-autoencoder style).
     */
    public static Model denseAutoencoder(int h, int w, int c, int hidden, int code, float dropout, long seed) {
        Model.Builder b = Model.builder(h, w, c).seed(seed).add(new Flatten());
        if (dropout > 0) b.add(new Dropout(dropout));
        return b.add(new Dense(hidden, Activation.RELU))
                .add(new Dense(code, Activation.SIGMOID).name(LATENT))
                .add(new Dense(hidden, Activation.RELU))
                .add(new Dense(h * w * c, Activation.SIGMOID))
                .add(new Reshape(h, w, c))
                .build();
    }

    /**
     * Convolutional bottleneck autoencoder (the Keras denoising example): Conv(f)+MaxPool, Conv(f)+MaxPool named
     * {@value #LATENT} at 1/4 resolution, two stride-2 Conv2DTranspose(f), sigmoid Conv to c channels. No dense layer,
     * so it runs on any size divisible by 4.
     */
    public static Model convAutoencoder(int h, int w, int c, int filters, long seed) {
        return Model.builder(h, w, c).seed(seed)
                .add(new Conv2D(filters, 3, 1, Padding.SAME, Activation.RELU))
                .add(new MaxPool2D(2, Padding.SAME))
                .add(new Conv2D(filters, 3, 1, Padding.SAME, Activation.RELU))
                .add(new MaxPool2D(2, Padding.SAME).name(LATENT))
                .add(new Conv2DTranspose(filters, 3, 2, Padding.SAME, Activation.RELU))
                .add(new Conv2DTranspose(filters, 3, 2, Padding.SAME, Activation.RELU))
                .add(new Conv2D(c, 3, 1, Padding.SAME, Activation.SIGMOID))
                .build();
    }

    /** Id of the node whose layer is named {@code name} (e.g. {@value #LATENT}). */
    public static int node(Model m, String name) {
        for (Node n : m.nodes()) if (n.layer() != null && n.layer().name().equals(name)) return n.id();
        throw new IllegalArgumentException("the model has no layer named '" + name + "'");
    }

    /** The networks {@link Spec#build} makes, as config files name them ({@code arch = halfres}). */
    public enum Arch implements TrainConfig.Choice {
        /** {@link #seed(int, int, int, long)}: fixed input size. */
        SEED,
        /** {@link #dncnn(int, int, int, int, int, boolean, boolean, long)} predicting the noise. */
        DNCNN,
        /** DnCNN with the subtraction in the graph (outputs the clean image). */
        DNCNN_RESIDUAL,
        /** {@link #halfRes}. */
        HALFRES,
        /** {@link #convAutoencoder} with {@code channels} filters. */
        CONV_AE,
        /** {@link #denseAutoencoder} with a {@code code}-wide code: fixed input size. */
        DENSE_AE;

        /** Whether the network takes only the size it was built for (a dense layer inside). */
        public boolean fixedSize() { return this == SEED || this == DENSE_AE; }
    }

    /**
     * What to build: the network, its input {@code [height, width, channelsIn]}, and the sizes that apply to it
     * ({@code depth}, {@code channels}, {@code batchNorm} for the DnCNNs; {@code channels} filters for conv-ae;
     * {@code code} for dense-ae); weights from {@code seed}. Start from {@link #of} and change what differs.
     */
    public record Spec(Arch arch, int height, int width, int channelsIn, int depth, int channels, boolean batchNorm,
                       int code, long seed) {
        /** {@code arch} on {@code [h, w, c]} with the defaults: depth 17, 64 channels, BatchNorm, code 64, seed 42. */
        public static Spec of(Arch arch, int h, int w, int c) { return new Spec(arch, h, w, c, 17, 64, true, 64, 42); }

        public Spec withDepth(int d) { return new Spec(arch, height, width, channelsIn, d, channels, batchNorm, code, seed); }
        public Spec withChannels(int ch) { return new Spec(arch, height, width, channelsIn, depth, ch, batchNorm, code, seed); }
        public Spec withBatchNorm(boolean on) { return new Spec(arch, height, width, channelsIn, depth, channels, on, code, seed); }
        public Spec withCode(int size) { return new Spec(arch, height, width, channelsIn, depth, channels, batchNorm, size, seed); }
        public Spec withSeed(long s) { return new Spec(arch, height, width, channelsIn, depth, channels, batchNorm, code, s); }

        /** The network. */
        public Model build() {
            int h = height, w = width, c = channelsIn;
            return switch (arch) {
                case SEED -> Architectures.seed(h, w, c, seed);
                case DNCNN -> dncnn(h, w, c, depth, channels, batchNorm, false, seed);
                case DNCNN_RESIDUAL -> dncnn(h, w, c, depth, channels, batchNorm, true, seed);
                case HALFRES -> halfRes(h, w, c, depth, channels, batchNorm, seed);
                case CONV_AE -> convAutoencoder(h, w, c, channels, seed);
                case DENSE_AE -> denseAutoencoder(h, w, c, Math.max(code * 4, 256), code, 0f, seed);
            };
        }
    }
}
