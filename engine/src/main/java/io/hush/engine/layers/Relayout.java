package io.hush.engine.layers;

import io.hush.engine.Tensor;

/**
 * A layer that gives each sample a new shape and keeps its values in memory (NHWC) order (Flatten, Reshape): forward
 * copies the input and backward copies the gradient (each graph node has its own buffer); a subclass gives the shape
 * rule.
 */
public abstract sealed class Relayout extends Layer permits Flatten, Reshape {
    Relayout() {}

    @Override
    public final void forward(Tensor[] in, Tensor out, Exec ex) {
        out.copyFrom(in[0]);
    }

    @Override
    public final void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        if (gradIn[0] != null) gradIn[0].copyFrom(gradOut);
    }
}
