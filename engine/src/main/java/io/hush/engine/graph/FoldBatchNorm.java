package io.hush.engine.graph;

import io.hush.engine.Model;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.BatchNorm2D;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Int8Kernel;
import io.hush.engine.layers.KernelStorage;
import io.hush.engine.layers.Layer;
import io.hush.engine.layers.Param;

import java.util.ArrayList;
import java.util.List;

/**
 * Folds inference-mode {@link BatchNorm2D} layers into the {@link Conv2D} that feeds them, for faster inference:
 * with {@code s = gamma / sqrt(moving_variance + epsilon)} per output channel,
 * {@code kernel'[..,co] = kernel[..,co] * s[co]} and {@code bias'[co] = (bias[co] - moving_mean[co]) * s[co] + beta[co]}
 * (bias taken as 0 when the conv has none; the folded conv always has one).
 *
 * <p>A pair is folded when the BatchNorm's input is a Conv2D with a LINEAR activation (an activation between
 * them would not commute) whose output goes nowhere else. Everything else is kept as it is.
 *
 * <p>The result is a new model. It takes over the source model's layer objects for every layer it does not
 * rewrite (their parameters are re-created in the new model's memory with the same values), so afterwards use
 * only the returned model; closing the source is safe. The result is for inference: folded layers no longer
 * train like the originals.
 */
public final class FoldBatchNorm {
    private FoldBatchNorm() {}

    /** Number of Conv2D+BatchNorm2D pairs {@link #fold} would merge. */
    public static int foldablePairs(Model model) {
        List<Node> nodes = model.nodes();
        int[] consumers = consumers(nodes);
        int count = 0;
        for (Node n : nodes) if (foldable(nodes, consumers, n)) count++;
        return count;
    }

    public static Model fold(Model source) {
        List<Node> nodes = source.nodes();
        int[] consumers = consumers(nodes);
        Model.Builder b = Model.builder(source.inputShape());
        int[] map = new int[nodes.size()];
        List<Runnable> setters = new ArrayList<>();
        for (int i = 1; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            Layer layer = node.layer();
            int[] in = node.inputs().clone();
            for (int k = 0; k < in.length; k++) in[k] = map[in[k]];
            if (foldable(nodes, consumers, node)) {
                map[i] = map[node.inputs()[0]]; // the folded conv already produces this node's value
                continue;
            }
            Node bnNode = consumers[i] == 1 ? onlyConsumer(nodes, i) : null;
            if (bnNode != null && foldable(nodes, consumers, bnNode)) {
                Conv2D conv = (Conv2D) layer;
                BatchNorm2D bn = (BatchNorm2D) bnNode.layer();
                Conv2D folded = withBias(conv);
                folded.name(conv.name());
                if (conv.kernel().int8 != null) {
                    // int8 kernel: the BatchNorm scale is per output channel, so it folds into the channel scales
                    // and the codes stay as they are
                    folded.kernelStorage(KernelStorage.INT8);
                    Int8Kernel codes = conv.kernel().int8;
                    double[] sc = channelScales(bn);
                    float[] nb = foldedBias(conv, bn, sc);
                    b.add(folded, in);
                    setters.add(() -> {
                        folded.kernel().int8.copyFrom(codes);
                        folded.kernel().int8.scaleChannels(sc);
                        folded.bias().value.copyFrom(nb);
                    });
                } else {
                    float[][] kb = foldedValues(conv, bn);
                    b.add(folded, in);
                    setters.add(() -> {
                        folded.kernel().value.copyFrom(kb[0]);
                        folded.bias().value.copyFrom(kb[1]);
                    });
                }
            } else {
                List<Param> ps = layer.params();
                List<float[]> values = new ArrayList<>();
                for (Param p : ps) values.add(p.int8 != null ? null : p.value.toArray());
                b.add(layer, in);
                setters.add(() -> {
                    List<Param> now = layer.params();
                    for (int k = 0; k < now.size(); k++) {
                        if (ps.get(k).int8 != null) now.get(k).int8.copyFrom(ps.get(k).int8); // source still open
                        else now.get(k).value.copyFrom(values.get(k));
                    }
                });
            }
            map[i] = b.current();
        }
        if (map[nodes.size() - 1] != b.current()) {
            throw new IllegalStateException("folding would change which node is the model output (a dangling node after "
                    + nodes.get(nodes.size() - 1).layer() + ")");
        }
        Model out = b.build();
        for (Runnable r : setters) r.run();
        out.card().copyFrom(source.card());
        return out;
    }

    /** {kernel', bias'} of the conv with the BatchNorm folded in. */
    static float[][] foldedValues(Conv2D conv, BatchNorm2D bn) {
        float[] k = conv.kernel().value.toArray();
        int cout = conv.filters();
        double[] s = channelScales(bn);
        float[] nb = foldedBias(conv, bn, s);
        for (int i = 0; i < k.length; i++) k[i] = (float) (k[i] * s[i % cout]); // HWIO: output channel is fastest
        return new float[][] {k, nb};
    }

    /** The BatchNorm's per-channel multiplier gamma / sqrt(var + eps). */
    static double[] channelScales(BatchNorm2D bn) {
        float[] g = bn.gamma().value.toArray(), mv = bn.movingVariance().value.toArray();
        double[] s = new double[g.length];
        for (int c = 0; c < g.length; c++) s[c] = g[c] / Math.sqrt((double) mv[c] + bn.epsilon());
        return s;
    }

    /** The folded bias (b - mean) * s + beta. */
    static float[] foldedBias(Conv2D conv, BatchNorm2D bn, double[] s) {
        int cout = conv.filters();
        float[] bias = conv.bias() != null ? conv.bias().value.toArray() : new float[cout];
        float[] be = bn.beta().value.toArray(), mm = bn.movingMean().value.toArray();
        float[] nb = new float[cout];
        for (int c = 0; c < cout; c++) nb[c] = (float) ((bias[c] - (double) mm[c]) * s[c] + be[c]);
        return nb;
    }

    private static Conv2D withBias(Conv2D c) {
        return new Conv2D(c.filters(), c.window(), c.pad(), true, c.activation());
    }

    private static boolean foldable(List<Node> nodes, int[] consumers, Node n) {
        if (!(n.layer() instanceof BatchNorm2D)) return false;
        int src = n.inputs()[0];
        if (src == 0 || consumers[src] != 1) return false;
        return nodes.get(src).layer() instanceof Conv2D c && c.activation().kind() == Activation.Kind.LINEAR
                && n.shape().rank() == 3;
    }

    private static int[] consumers(List<Node> nodes) {
        int[] c = new int[nodes.size()];
        for (Node n : nodes) for (int s : n.inputs()) c[s]++;
        return c;
    }

    private static Node onlyConsumer(List<Node> nodes, int id) {
        for (Node n : nodes) for (int s : n.inputs()) if (s == id) return n;
        return null;
    }
}
