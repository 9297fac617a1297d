package io.hush.denoise;

import io.hush.engine.Model;
import io.hush.engine.graph.Node;
import io.hush.engine.layers.ActivationLayer;
import io.hush.engine.layers.AveragePool2D;
import io.hush.engine.layers.Concatenate;
import io.hush.engine.layers.Cropping2D;
import io.hush.engine.layers.CustomLayer;
import io.hush.engine.layers.Dense;
import io.hush.engine.layers.Elu;
import io.hush.engine.layers.Flatten;
import io.hush.engine.layers.GlobalAveragePool2D;
import io.hush.engine.layers.Multiply;
import io.hush.engine.layers.Reshape;
import io.hush.engine.layers.Softmax;
import io.hush.engine.layers.UpSampling2D;
import io.hush.engine.layers.ZeroPadding2D;
import io.hush.engine.layers.Add;
import io.hush.engine.layers.BatchNorm2D;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Conv2DTranspose;
import io.hush.engine.layers.Dropout;
import io.hush.engine.layers.Layer;
import io.hush.engine.layers.MaxPool2D;
import io.hush.engine.layers.Scale;
import io.hush.engine.layers.Subtract;

import java.util.List;

/**
 * An upper bound on a model's receptive-field radius in input pixels, read from its layers: how far from an output
 * pixel an input pixel can be and still change it. Per node it tracks the radius and the "jump" (input pixels per
 * step of that node's grid): a k-wide window with dilation d adds {@code ceil((k-1) d / 2)} steps, a stride multiplies
 * the jump, a transposed convolution divides it. Pointwise layers add nothing; a merge takes the larger input.
 * Returns -1 for a layer type it does not know (then measure instead).
 */
public final class ReceptiveField {
    private ReceptiveField() {}

    public static int radius(Model model) {
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
                case MaxPool2D p -> {
                    ri += half(Math.max(p.poolH(), p.poolW()) - 1) * ji;
                    ji *= Math.max(p.strideH(), p.strideW());
                }
                case Conv2DTranspose t -> {
                    ji /= Math.max(1, Math.min(t.strideH(), t.strideW()));
                    ri += half(Math.max((t.kernelH() - 1) * t.dilationH(), (t.kernelW() - 1) * t.dilationW())) * ji
                            + ji * Math.max(t.strideH(), t.strideW()); // the stride grid's phase
                }
                case ActivationLayer a -> { }
                case Add a -> { }
                case Subtract s -> { }
                case Scale s -> { }
                case BatchNorm2D b -> { }
                case Dropout d -> { }
                case AveragePool2D p -> { return -1; }
                case UpSampling2D u -> { return -1; }
                case Concatenate c -> { return -1; }
                case Multiply m -> { return -1; }
                case ZeroPadding2D z -> { return -1; }
                case Cropping2D c -> { return -1; }
                case GlobalAveragePool2D g -> { return -1; }
                case Elu e -> { return -1; }
                case Softmax s -> { return -1; }
                case Dense d -> { return -1; }
                case Flatten f -> { return -1; }
                case Reshape rs -> { return -1; }
                case CustomLayer c -> { return -1; }
            }
            r[i] = ri;
            jump[i] = ji;
        }
        return (int) Math.ceil(r[nodes.size() - 1]);
    }

    /** Steps a window of extent {@code e + 1} reaches from its centre, rounded up (asymmetric SAME padding). */
    private static double half(int e) {
        return Math.ceil(e / 2.0);
    }
}
