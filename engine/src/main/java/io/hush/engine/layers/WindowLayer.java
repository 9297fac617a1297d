package io.hush.engine.layers;

import io.hush.engine.Shape;

/**
 * The common part of the sliding-window layers (Conv2D, Conv2DTranspose, MaxPool2D, AveragePool2D): one
 * {@link Window2D} and one {@link Pad}, checked here once, and the output size of a forward sliding window
 * ({@code (in + padBefore + padAfter - extent) / stride + 1}, SAME: {@code ceil(in / stride)}). Subclasses add their
 * own settings and compute.
 */
public abstract sealed class WindowLayer extends Layer permits ConvLayer, Pool2D {
    private final Window2D window;
    private final Pad pad;

    /** Both non-null (an IllegalArgumentException naming the layer type otherwise). */
    WindowLayer(Window2D window, Pad pad) {
        if (window == null) throw new IllegalArgumentException(type() + ": window is null");
        if (pad == null) throw new IllegalArgumentException(type() + ": padding is null (Pad.SAME, Pad.VALID or Pad.Explicit)");
        this.window = window;
        this.pad = pad;
    }

    /** Kernel (or pool) size, strides and dilation. */
    public Window2D window() { return window; }

    /** How the input is padded. */
    public Pad pad() { return pad; }

    public int kernelH() { return window.kernelH(); }
    public int kernelW() { return window.kernelW(); }
    public int strideH() { return window.strideH(); }
    public int strideW() { return window.strideW(); }
    public int dilationH() { return window.dilationH(); }
    public int dilationW() { return window.dilationW(); }

    /** The (top, bottom, left, right) pads a forward sliding window uses on an {@code h x w} input. */
    Pad.Explicit resolvedPads(int h, int w) { return pad.resolve(h, w, window); }

    /**
     * Output {@code {OH, OW}} of a forward sliding window over a per-sample {@code [H,W,C]} input, or a shape error
     * when the window does not fit the (padded) input.
     */
    int[] slideOutput(Shape in) {
        int h = in.dim(0), w = in.dim(1);
        if (pad instanceof Pad.Same) {
            return new int[] {(h + window.strideH() - 1) / window.strideH(), (w + window.strideW() - 1) / window.strideW()};
        }
        Pad.Explicit p = resolvedPads(h, w);
        int hh = h + p.top() + p.bottom(), ww = w + p.left() + p.right();
        if (hh < window.extentH() || ww < window.extentW()) {
            throw shapeError("window " + window.kernelH() + "x" + window.kernelW() + " (spanning " + window.extentH() + "x"
                    + window.extentW() + ") is larger than the input " + in
                    + (pad instanceof Pad.Valid ? " with VALID padding" : " plus " + pad));
        }
        return new int[] {(hh - window.extentH()) / window.strideH() + 1, (ww - window.extentW()) / window.strideW() + 1};
    }
}
