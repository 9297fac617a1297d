package io.hush.engine.golden;

import io.hush.engine.kernels.Activation;

/** Activation names used in the fixtures' meta.properties. */
final class GoldenActivations {
    private GoldenActivations() {}

    static Activation of(GoldenCase c) {
        return switch (c.str("activation")) {
            case "linear" -> Activation.LINEAR;
            case "relu" -> Activation.RELU;
            case "leaky_relu" -> Activation.leakyRelu(c.real("alpha"));
            case "sigmoid" -> Activation.SIGMOID;
            case "tanh" -> Activation.TANH;
            default -> throw new IllegalArgumentException(c + ": unknown activation " + c.str("activation"));
        };
    }
}
