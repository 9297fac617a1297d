package io.hush.engine.io;

import io.hush.engine.Model;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.AveragePool2D;
import io.hush.engine.layers.Concatenate;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Cropping2D;
import io.hush.engine.layers.Elu;
import io.hush.engine.layers.Multiply;
import io.hush.engine.layers.Padding;
import io.hush.engine.layers.UpSampling2D;
import io.hush.engine.layers.ZeroPadding2D;

/**
 * The layers Keras import brought, in one chain with skips that the {@code .hush} format and ONNX export tests both
 * build on: Conv2D (ReLU), ZeroPadding2D, Cropping2D, AveragePool2D (SAME), bilinear UpSampling2D, Cropping2D,
 * Multiply with the conv output, Concatenate of the conv output, that and the input, ELU.
 */
public final class KerasLayerChain {
    private KerasLayerChain() {}

    /** Adds the chain to {@code b}, whose input is an {@code [8,7,2]} image; the result is {@code [8,7,10]}. */
    public static void addTo(Model.Builder b) {
        b.add(new Conv2D(4, 3, Activation.RELU));
        int conv = b.current();
        b.add(new ZeroPadding2D(1, 0, 0, 1));
        b.add(new Cropping2D(0, 1, 1, 0));
        b.add(new AveragePool2D(2, 2, 2, 2, Padding.SAME));
        b.add(new UpSampling2D(2, 2, UpSampling2D.Interpolation.BILINEAR));
        b.add(new Cropping2D(0, 0, 0, 1));
        b.add(new Multiply(), conv, b.current());
        b.add(new Concatenate(3), conv, b.current(), 0);
        b.add(new Elu(0.5f));
    }
}
