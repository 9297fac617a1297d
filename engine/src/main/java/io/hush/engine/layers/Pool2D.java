package io.hush.engine.layers;

import io.hush.engine.Shape;
import io.hush.engine.kernels.PoolKernels;

/**
 * The common part of MaxPool2D and AveragePool2D: a pool window (dilation 1, checked here) and padding, the shape rule
 * {@code [H,W,C] -> [OH,OW,C]}, the kernels' geometry and the description; a subclass adds its padding rule and compute.
 */
public abstract sealed class Pool2D extends WindowLayer permits AveragePool2D, MaxPool2D {
    Pool2D(Window2D pool, Pad pad) {
        super(pool, pad);
        if (pool.dilationH() != 1 || pool.dilationW() != 1) {
            throw new IllegalArgumentException(type() + ": pooling has no dilation, got " + pool);
        }
    }

    public int poolH() { return kernelH(); }

    public int poolW() { return kernelW(); }

    @Override
    public final Shape outputShape(Shape... in) {
        requireInputs(in, 3);
        int[] o = slideOutput(in[0]);
        return Shape.of(o[0], o[1], in[0].dim(2));
    }

    /** The pooling kernels' geometry for batched shapes {@code [N,H,W,C] -> [N,OH,OW,C]}. */
    PoolKernels.Geometry geometry(Shape inB, Shape outB) {
        int h = inB.dim(1), w = inB.dim(2);
        Pad.Explicit p = resolvedPads(h, w);
        return new PoolKernels.Geometry(h, w, inB.dim(3), outB.dim(1), outB.dim(2), kernelH(), kernelW(), strideH(),
                strideW(), p.top(), p.left());
    }

    @Override
    public String toString() { return super.toString() + " (" + window() + ", " + pad() + ")"; }
}
