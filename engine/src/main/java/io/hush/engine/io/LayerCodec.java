package io.hush.engine.io;

import io.hush.engine.io.proto.ActivationSettings;
import io.hush.engine.io.proto.AddSettings;
import io.hush.engine.io.proto.DropoutSettings;
import io.hush.engine.io.proto.FlattenSettings;
import io.hush.engine.io.proto.Node;
import io.hush.engine.io.proto.ReshapeSettings;
import io.hush.engine.io.proto.ScaleSettings;
import io.hush.engine.io.proto.SubtractSettings;
import io.hush.engine.layers.Activation;
import io.hush.engine.layers.ActivationLayer;
import io.hush.engine.layers.Add;
import io.hush.engine.layers.Dropout;
import io.hush.engine.layers.Flatten;
import io.hush.engine.layers.Layer;
import io.hush.engine.layers.Reshape;
import io.hush.engine.layers.Scale;
import io.hush.engine.layers.Subtract;

/**
 * Layer settings to and from their {@code hush.format} messages, one case per layer type. Decoding builds the layer
 * through its public constructor, so every setting a file gives is validated exactly as if code had built it; the
 * caller wraps whatever it throws with the node's location.
 */
final class LayerCodec {
    private LayerCodec() {}

    /** The node message for a layer's type and settings (name, inputs and parameters are the caller's). */
    static Node.Builder encode(Layer layer) {
        Node.Builder n = Node.newBuilder().setType(layer.type());
        switch (layer) {
            case ActivationLayer a -> n.setActivation(ActivationSettings.newBuilder().setActivation(activation(a.activation())));
            case Add a -> n.setAdd(AddSettings.getDefaultInstance());
            case Subtract s -> n.setSubtract(SubtractSettings.getDefaultInstance());
            case Flatten f -> n.setFlatten(FlattenSettings.getDefaultInstance());
            case Reshape r -> {
                ReshapeSettings.Builder b = ReshapeSettings.newBuilder();
                for (int d : r.target()) b.addShape(d);
                n.setReshape(b);
            }
            case Scale s -> n.setScale(ScaleSettings.newBuilder().setMultiplier(s.multiplier()).setOffset(s.offset()));
            case Dropout d -> n.setDropout(DropoutSettings.newBuilder().setRate(d.rate()));
            default -> throw new IllegalArgumentException("cannot save " + layer + ": the Hush format has no "
                    + layer.getClass().getName() + " yet (add it to hush.proto and LayerCodec)");
        }
        return n;
    }

    /**
     * The layer a node describes, built through its constructor. Throws {@link ModelFormatException} for an unknown or
     * inconsistent type, and whatever the constructor throws (IllegalArgumentException) for bad settings.
     */
    static Layer decode(Node n) throws ModelFormatException {
        String expected = switch (n.getSettingsCase()) {
            case ACTIVATION -> "Activation";
            case ADD -> "Add";
            case SUBTRACT -> "Subtract";
            case FLATTEN -> "Flatten";
            case RESHAPE -> "Reshape";
            case SCALE -> "Scale";
            case DROPOUT -> "Dropout";
            case SETTINGS_NOT_SET -> throw new ModelFormatException("unknown layer type '" + n.getType()
                    + "' (no settings this version of Hush knows; written by a newer Hush?)");
            default -> throw new ModelFormatException("layer type '" + n.getType() + "' (settings "
                    + n.getSettingsCase() + ") is not supported by this version of Hush");
        };
        if (!expected.equals(n.getType())) {
            throw new ModelFormatException("type '" + n.getType() + "' does not match its settings (" + expected + ")");
        }
        return switch (n.getSettingsCase()) {
            case ACTIVATION -> new ActivationLayer(activation(n.getActivation().getActivation()));
            case ADD -> new Add();
            case SUBTRACT -> new Subtract();
            case FLATTEN -> new Flatten();
            case RESHAPE -> new Reshape(ints(n.getReshape().getShapeList()));
            case SCALE -> new Scale(n.getScale().getMultiplier(), n.getScale().getOffset());
            case DROPOUT -> new Dropout(n.getDropout().getRate());
            default -> throw new AssertionError(n.getSettingsCase());
        };
    }

    static io.hush.engine.io.proto.Activation.Builder activation(Activation a) {
        io.hush.engine.io.proto.Activation.Kind k = switch (a.kind()) {
            case LINEAR -> io.hush.engine.io.proto.Activation.Kind.LINEAR;
            case RELU -> io.hush.engine.io.proto.Activation.Kind.RELU;
            case LEAKY_RELU -> io.hush.engine.io.proto.Activation.Kind.LEAKY_RELU;
            case SIGMOID -> io.hush.engine.io.proto.Activation.Kind.SIGMOID;
            case TANH -> io.hush.engine.io.proto.Activation.Kind.TANH;
        };
        return io.hush.engine.io.proto.Activation.newBuilder().setKind(k).setAlpha(a.alpha());
    }

    static Activation activation(io.hush.engine.io.proto.Activation a) throws ModelFormatException {
        return switch (a.getKind()) {
            case LINEAR -> Activation.LINEAR;
            case RELU -> Activation.RELU;
            case LEAKY_RELU -> Activation.leakyRelu(a.getAlpha());
            case SIGMOID -> Activation.SIGMOID;
            case TANH -> Activation.TANH;
            case UNRECOGNIZED -> throw new ModelFormatException("activation: unknown kind " + a.getKindValue());
        };
    }

    /** 0 means 1 for strides and dilations (proto3 default: a file that did not say). */
    static int orOne(int v) { return v == 0 ? 1 : v; }

    private static int[] ints(java.util.List<Integer> l) {
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }
}
