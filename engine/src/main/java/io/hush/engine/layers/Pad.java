package io.hush.engine.layers;

/**
 * How a sliding-window layer ({@link WindowLayer}: Conv2D, Conv2DTranspose, MaxPool2D, AveragePool2D) pads its input.
 * One of three kinds:
 * <ul>
 *   <li>{@link Same}: Keras/TensorFlow {@code padding='same'}: output {@code ceil(in / stride)}; the total padding
 *       {@code max((out-1)*stride + effectiveKernel - in, 0)} is split with the smaller half at the top/left, so odd
 *       totals pad one more at the bottom/right.</li>
 *   <li>{@link Valid}: no padding.</li>
 *   <li>{@link Explicit}: fixed amounts, as ONNX and PyTorch models carry them. The order is always
 *       <b>(top, bottom, left, right)</b>; ONNX's {@code pads = [top, left, bottom, right]} reorders to that.</li>
 * </ul>
 */
public sealed interface Pad {
    /** Keras/TensorFlow SAME padding. */
    Pad SAME = new Same();
    /** No padding. */
    Pad VALID = new Valid();

    /** SAME padding (see {@link Pad}). */
    record Same() implements Pad {
        @Override public String toString() { return "SAME"; }
    }

    /** No padding. */
    record Valid() implements Pad {
        @Override public String toString() { return "VALID"; }
    }

    /** Fixed pads in the order (top, bottom, left, right), each >= 0. */
    record Explicit(int top, int bottom, int left, int right) implements Pad {
        public Explicit {
            if (top < 0 || bottom < 0 || left < 0 || right < 0) {
                throw new IllegalArgumentException("pads must be >= 0, got top " + top + ", bottom " + bottom + ", left "
                        + left + ", right " + right);
            }
        }

        /** {top, bottom, left, right}. */
        public int[] toArray() { return new int[] {top, bottom, left, right}; }

        @Override public String toString() {
            return "pads top " + top + ", bottom " + bottom + ", left " + left + ", right " + right;
        }
    }

    /** The Pad for a Keras padding mode (SAME or VALID); a null mode is refused. */
    static Pad of(Padding mode) {
        if (mode == null) throw new IllegalArgumentException("padding mode is null (use Pad.Explicit for explicit pads)");
        return mode == Padding.SAME ? SAME : VALID;
    }

    /** Explicit pads, in this order. */
    static Explicit explicit(int top, int bottom, int left, int right) {
        return new Explicit(top, bottom, left, right);
    }

    /**
     * The explicit pads this padding means for an {@code h x w} input under a convolution or pooling window
     * (SAME: TensorFlow's split; VALID: zeros; explicit: itself).
     */
    default Explicit resolve(int h, int w, Window2D win) {
        return switch (this) {
            case Explicit e -> e;
            case Valid v -> new Explicit(0, 0, 0, 0);
            case Same s -> {
                int th = sameTotal(h, win.kernelH(), win.strideH(), win.dilationH());
                int tw = sameTotal(w, win.kernelW(), win.strideW(), win.dilationW());
                yield new Explicit(th / 2, th - th / 2, tw / 2, tw - tw / 2);
            }
        };
    }

    /** Total SAME padding along one axis: {@code max((ceil(in/s)-1)*s + eff - in, 0)}. */
    private static int sameTotal(int in, int kernel, int stride, int dilation) {
        int eff = (kernel - 1) * dilation + 1;
        int out = (in + stride - 1) / stride;
        return Math.max((out - 1) * stride + eff - in, 0);
    }
}
