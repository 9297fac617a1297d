package io.hush.engine.layers;

/**
 * The sliding window of a 2-D convolution or pooling layer: kernel (or pool) size, strides and dilation, each
 * {@code >= 1} (checked here, once for every {@link WindowLayer}). Pooling layers have dilation 1.
 *
 * @param kernelH window rows
 * @param kernelW window columns
 * @param strideH step between windows along H
 * @param strideW step between windows along W
 * @param dilationH spacing of the window's taps along H (1 = dense)
 * @param dilationW spacing of the window's taps along W
 */
public record Window2D(int kernelH, int kernelW, int strideH, int strideW, int dilationH, int dilationW) {
    public Window2D {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1) {
            throw new IllegalArgumentException("window " + kernelH + "x" + kernelW + ", strides " + strideH + "x" + strideW
                    + ", dilation " + dilationH + "x" + dilationW + ": kernel size, strides and dilation must be >= 1");
        }
    }

    /** A dense (dilation 1) window. */
    public static Window2D of(int kernelH, int kernelW, int strideH, int strideW) {
        return new Window2D(kernelH, kernelW, strideH, strideW, 1, 1);
    }

    /** Rows the dilated window spans: {@code (kernelH-1)*dilationH + 1}. */
    public int extentH() { return (kernelH - 1) * dilationH + 1; }

    /** Columns the dilated window spans: {@code (kernelW-1)*dilationW + 1}. */
    public int extentW() { return (kernelW - 1) * dilationW + 1; }

    @Override public String toString() {
        return kernelH + "x" + kernelW + ", strides " + strideH + "x" + strideW
                + (dilationH * dilationW > 1 ? ", dilation " + dilationH + "x" + dilationW : "");
    }
}
