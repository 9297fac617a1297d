package io.hush.engine.kernels;

/**
 * Geometry of one batched 2-D convolution, NHWC: input {@code [n,h,w,cin]}, output {@code [n,oh,ow,cout]},
 * kernel {@code [kh,kw,cin,cout]} (HWIO), strides {@code sh,sw}, dilations {@code dh,dw}, and the padding
 * before the image {@code pt} (top) and {@code pl} (left). Padding after the image is implied by the output
 * size: output pixel (oy,ox) reads input rows {@code oy*sh - pt + i*dh} for i in [0,kh), and reads outside
 * the input count as zero.
 *
 * <p>The same geometry describes a transposed convolution run "backwards": its output is this geometry's
 * input and its input is this geometry's output (see {@link ConvScalar#backwardData}).
 */
public record ConvGeom(int n, int h, int w, int cin, int oh, int ow, int cout,
                       int kh, int kw, int sh, int sw, int dh, int dw, int pt, int pl) {

    public ConvGeom {
        if (n < 1 || h < 1 || w < 1 || cin < 1 || oh < 1 || ow < 1 || cout < 1 || kh < 1 || kw < 1
                || sh < 1 || sw < 1 || dh < 1 || dw < 1 || pt < 0 || pl < 0) {
            throw new IllegalArgumentException("bad convolution geometry: input [" + n + "," + h + "," + w + "," + cin
                    + "], output [" + n + "," + oh + "," + ow + "," + cout + "], kernel " + kh + "x" + kw + ", strides "
                    + sh + "x" + sw + ", dilation " + dh + "x" + dw + ", pads " + pt + "," + pl);
        }
    }

    public int taps() { return kh * kw; }

    /** Extent of the dilated kernel along H. */
    public int effKh() { return (kh - 1) * dh + 1; }

    public int effKw() { return (kw - 1) * dw + 1; }

    public long inSize() { return (long) n * h * w * cin; }

    public long outSize() { return (long) n * oh * ow * cout; }

    public long kernelSize() { return (long) kh * kw * cin * cout; }

    /** Multiply-adds of one forward pass (every tap counted, padding included). */
    public long macs() { return (long) n * oh * ow * kh * kw * cin * cout; }
}
