package io.hush.denoise;

import io.hush.engine.Model;
import io.hush.engine.graph.Node;
import io.hush.engine.layers.BatchNorm2D;
import io.hush.engine.layers.Border2D;
import io.hush.engine.layers.Concatenate;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Conv2DTranspose;
import io.hush.engine.layers.CustomLayer;
import io.hush.engine.layers.Dense;
import io.hush.engine.layers.Dropout;
import io.hush.engine.layers.ElementwiseBinary;
import io.hush.engine.layers.GlobalAveragePool2D;
import io.hush.engine.layers.Layer;
import io.hush.engine.layers.PointwiseLayer;
import io.hush.engine.layers.Pool2D;
import io.hush.engine.layers.Relayout;
import io.hush.engine.layers.Scale;
import io.hush.engine.layers.Softmax;
import io.hush.engine.layers.UpSampling2D;

import java.util.List;

/**
 * An upper bound on a model's receptive-field radius in input pixels, read from its layers: how far from an output
 * pixel an input pixel can be and still change it. Per node it tracks the radius and the "jump" (input pixels per
 * step of that node's grid): a k-wide window with dilation d adds {@code ceil((k-1) d / 2)} steps, a stride multiplies
 * the jump, a transposed convolution or an upsampling divides it (and adds one step of the coarser grid for its
 * phase); padding or cropping the border shifts the grid by its largest amount. Pointwise layers add nothing; a merge
 * takes the larger input. A global pooling makes every output depend on every input ({@link Unbounded}); a layer
 * the engine does not know ({@link io.hush.engine.layers.CustomLayer}) or a layer that drops the image grid
 * (Flatten, Reshape, Dense after them) gives {@link Unknown}: then measure instead.
 */
public final class ReceptiveField {
    private ReceptiveField() {}

    /** What the layers say about a model's receptive field. */
    public sealed interface Extent {}

    /** Every output pixel depends only on input pixels at most {@code radius} away (per axis). */
    public record Bounded(int radius) implements Extent {}

    /** Every output depends on the whole input: {@code layer} (a global pooling) reads all of it. */
    public record Unbounded(Layer layer) implements Extent {}

    /** The layers cannot tell: {@code layer} is custom or leaves the image grid. */
    public record Unknown(Layer layer) implements Extent {}

    /** The radius of a {@link Bounded} extent, or -1 when it is unbounded or unknown (then measure instead). */
    public static int radius(Model model) {
        return of(model) instanceof Bounded b ? b.radius() : -1;
    }

    /** The receptive field the model's layers give. */
    public static Extent of(Model model) {
        List<Node> nodes = model.nodes();
        double[] r = new double[nodes.size()], jump = new double[nodes.size()];
        jump[0] = 1;
        for (int i = 1; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            double ri = 0, ji = 0;
            for (int src : n.inputs()) {
                ri = Math.max(ri, r[src]);
                ji = Math.max(ji, jump[src]);
            }
            Layer l = n.layer();
            switch (l) {
                case Conv2D c -> {
                    ri += half(Math.max((c.kernelH() - 1) * c.dilationH(), (c.kernelW() - 1) * c.dilationW())) * ji;
                    ji *= Math.max(c.strideH(), c.strideW());
                }
                case Pool2D p -> { // MaxPool2D, AveragePool2D
                    ri += half(Math.max(p.poolH(), p.poolW()) - 1) * ji;
                    ji *= Math.max(p.strideH(), p.strideW());
                }
                case Conv2DTranspose t -> {
                    ji /= Math.max(1, Math.min(t.strideH(), t.strideW()));
                    ri += half(Math.max((t.kernelH() - 1) * t.dilationH(), (t.kernelW() - 1) * t.dilationW())) * ji
                            + ji * Math.max(t.strideH(), t.strideW()); // the stride grid's phase
                }
                case UpSampling2D u -> {
                    // nearest reads one cell of the coarse grid, bilinear its two neighbours: one coarse step either way
                    ri += ji;
                    ji /= Math.max(1, Math.min(u.sizeH(), u.sizeW()));
                }
                case Border2D b -> {
                    int[] a = b.amounts();
                    ri += Math.max(Math.max(a[0], a[1]), Math.max(a[2], a[3])) * ji;
                }
                case GlobalAveragePool2D g -> {
                    return new Unbounded(g);
                }
                case ElementwiseBinary e -> { }  // Add, Subtract, Multiply: a merge
                case Concatenate c -> { }
                case PointwiseLayer p -> { }     // ActivationLayer, Elu
                case Scale s -> { }
                case BatchNorm2D b -> { }
                case Dropout d -> { }
                case Softmax s -> { }            // over channels: pointwise in space
                case Relayout f -> {             // Flatten, Reshape: no image grid after them
                    return new Unknown(f);
                }
                case Dense d -> {
                    return new Unknown(d);
                }
                case CustomLayer c -> {
                    return new Unknown(c);
                }
            }
            r[i] = ri;
            jump[i] = ji;
        }
        return new Bounded((int) Math.ceil(r[nodes.size() - 1]));
    }

    /** Steps a window of extent {@code e + 1} reaches from its centre, rounded up (asymmetric SAME padding). */
    private static double half(int e) {
        return Math.ceil(e / 2.0);
    }
}
