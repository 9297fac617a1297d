package io.hush.train.reg;

import io.hush.engine.layers.Param;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * L1 and L2 weight penalties (Keras' kernel_regularizer): penalty = l1 * sum|w| + l2 * sum w^2 over the trainable
 * parameters whose {@link Param#regularize} is set (kernels; not biases or BatchNorm); the gradient
 * l1 * sign(w) + 2 l2 w is added to each such parameter's grad after the backward pass.
 */
public record WeightRegularizer(double l1, double l2) {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    public WeightRegularizer {
        if (!(l1 >= 0 && l2 >= 0)) throw new IllegalArgumentException("weight penalties must be >= 0, got l1=" + l1 + ", l2=" + l2);
    }

    public boolean active() { return l1 > 0 || l2 > 0; }

    /** Adds the penalty's gradient to the parameters' grads and returns the penalty. */
    public double apply(List<Param> params) {
        if (!active()) return 0;
        double total = 0;
        float a = (float) l1, b = (float) (2 * l2);
        for (Param p : params) {
            if (!p.trainable || !p.regularize) continue;
            MemorySegment w = p.value.data(), g = p.grad.data();
            double abs = 0, sq = 0;
            for (long i = 0, n = p.value.size(); i < n; i++) {
                float wi = w.getAtIndex(F, i);
                abs += Math.abs(wi);
                sq += (double) wi * wi;
                float add = wi * b + (wi > 0 ? a : wi < 0 ? -a : 0f);
                g.setAtIndex(F, i, g.getAtIndex(F, i) + add);
            }
            total += l1 * abs + l2 * sq;
        }
        return total;
    }
}
