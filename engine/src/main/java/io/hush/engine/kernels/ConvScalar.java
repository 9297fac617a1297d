package io.hush.engine.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Plain scalar reference convolution kernels: the specification {@link ConvSimd} is tested against. Single
 * threaded, no blocking, summation order (kh, kw, ci) for forward and backward-data, pixel order for weight
 * gradients. Tensors are NHWC and the kernel is HWIO {@code [kh,kw,cin,cout]}, as in {@link ConvGeom}, or with
 * {@code kernelOI} {@code [kh,kw,cout,cin]} (how a transposed convolution stores it). Unblocked on purpose: these loops
 * are the specification, written as the formulas read; {@link ConvKernels} runs them under {@code -Dhush.kernels=scalar}.
 */
public final class ConvScalar {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private ConvScalar() {}

    /** {@code out[n,oy,ox,co] = bias[co] + sum in[n, oy*sh-pt+i*dh, ox*sw-pl+j*dw, ci] * w[i,j,ci,co]}; bias may be NULL. */
    public static void forward(ConvGeom g, MemorySegment in, MemorySegment w, MemorySegment bias, MemorySegment out) {
        forward(g, in, w, false, bias, out);
    }

    /** The forward pass above, with the kernel laid out {@code [kh,kw,cout,cin]} if {@code kernelOI}. */
    public static void forward(ConvGeom g, MemorySegment in, MemorySegment w, boolean kernelOI, MemorySegment bias,
                               MemorySegment out) {
        boolean hasBias = bias.byteSize() > 0;
        for (int n = 0; n < g.n(); n++) {
            for (int oy = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++) {
                    for (int co = 0; co < g.cout(); co++) {
                        float acc = hasBias ? bias.getAtIndex(F, co) : 0f;
                        for (int i = 0; i < g.kh(); i++) {
                            int iy = oy * g.sh() - g.pt() + i * g.dh();
                            if (iy < 0 || iy >= g.h()) continue;
                            for (int j = 0; j < g.kw(); j++) {
                                int ix = ox * g.sw() - g.pl() + j * g.dw();
                                if (ix < 0 || ix >= g.w()) continue;
                                long ib = (((long) n * g.h() + iy) * g.w() + ix) * g.cin();
                                for (int ci = 0; ci < g.cin(); ci++) {
                                    acc += in.getAtIndex(F, ib + ci) * w.getAtIndex(F, wIndex(g, kernelOI, i, j, ci, co));
                                }
                            }
                        }
                        out.setAtIndex(F, (((long) n * g.oh() + oy) * g.ow() + ox) * g.cout() + co, acc);
                    }
                }
            }
        }
    }

    /**
     * Gradient of {@link #forward} with respect to its input, written (not accumulated) into {@code gin}
     * {@code [n,h,w,cin]}: {@code gin[n,y,x,ci] = bias[ci] + sum over (i,j,co) with y = oy*sh-pt+i*dh,
     * x = ox*sw-pl+j*dw of gout[n,oy,ox,co] * w[i,j,ci,co]}. With a bias (length cin) this is exactly a
     * transposed convolution of {@code gout}.
     */
    public static void backwardData(ConvGeom g, MemorySegment gout, MemorySegment w, MemorySegment bias, MemorySegment gin) {
        backwardData(g, gout, w, false, bias, gin);
    }

    /** The input gradient above, with the kernel laid out {@code [kh,kw,cout,cin]} if {@code kernelOI}. */
    public static void backwardData(ConvGeom g, MemorySegment gout, MemorySegment w, boolean kernelOI, MemorySegment bias,
                                    MemorySegment gin) {
        boolean hasBias = bias.byteSize() > 0;
        for (long p = 0; p < (long) g.n() * g.h() * g.w(); p++) {
            for (int ci = 0; ci < g.cin(); ci++) gin.setAtIndex(F, p * g.cin() + ci, hasBias ? bias.getAtIndex(F, ci) : 0f);
        }
        // Gather form, in (i, j, co) order per input pixel, to match the spec's summation order.
        for (int n = 0; n < g.n(); n++) {
            for (int y = 0; y < g.h(); y++) {
                for (int x = 0; x < g.w(); x++) {
                    long gb = (((long) n * g.h() + y) * g.w() + x) * g.cin();
                    for (int ci = 0; ci < g.cin(); ci++) {
                        float acc = gin.getAtIndex(F, gb + ci);
                        for (int i = 0; i < g.kh(); i++) {
                            int ty = y + g.pt() - i * g.dh();
                            if (ty < 0 || ty % g.sh() != 0 || ty / g.sh() >= g.oh()) continue;
                            int oy = ty / g.sh();
                            for (int j = 0; j < g.kw(); j++) {
                                int tx = x + g.pl() - j * g.dw();
                                if (tx < 0 || tx % g.sw() != 0 || tx / g.sw() >= g.ow()) continue;
                                int ox = tx / g.sw();
                                long ob = (((long) n * g.oh() + oy) * g.ow() + ox) * g.cout();
                                for (int co = 0; co < g.cout(); co++) {
                                    acc += gout.getAtIndex(F, ob + co) * w.getAtIndex(F, wIndex(g, kernelOI, i, j, ci, co));
                                }
                            }
                        }
                        gin.setAtIndex(F, gb + ci, acc);
                    }
                }
            }
        }
    }

    /** Kernel gradient {@code dw[i,j,ci,co] = sum over pixels in[n,iy,ix,ci] * gout[n,oy,ox,co]}, written. */
    public static void weightGrad(ConvGeom g, MemorySegment in, MemorySegment gout, MemorySegment dw) {
        weightGrad(g, in, gout, dw, false);
    }

    /** The kernel gradient above, written {@code [kh,kw,cout,cin]} if {@code kernelOI}. */
    public static void weightGrad(ConvGeom g, MemorySegment in, MemorySegment gout, MemorySegment dw, boolean kernelOI) {
        for (int i = 0; i < g.kh(); i++) {
            for (int j = 0; j < g.kw(); j++) {
                for (int ci = 0; ci < g.cin(); ci++) {
                    for (int co = 0; co < g.cout(); co++) {
                        float acc = 0f;
                        for (int n = 0; n < g.n(); n++) {
                            for (int oy = 0; oy < g.oh(); oy++) {
                                int iy = oy * g.sh() - g.pt() + i * g.dh();
                                if (iy < 0 || iy >= g.h()) continue;
                                for (int ox = 0; ox < g.ow(); ox++) {
                                    int ix = ox * g.sw() - g.pl() + j * g.dw();
                                    if (ix < 0 || ix >= g.w()) continue;
                                    acc += in.getAtIndex(F, (((long) n * g.h() + iy) * g.w() + ix) * g.cin() + ci)
                                            * gout.getAtIndex(F, (((long) n * g.oh() + oy) * g.ow() + ox) * g.cout() + co);
                                }
                            }
                        }
                        dw.setAtIndex(F, wIndex(g, kernelOI, i, j, ci, co), acc);
                    }
                }
            }
        }
    }

    /** Float index of kernel element (i, j, ci, co): {@code [kh,kw,cin,cout]}, or {@code [kh,kw,cout,cin]} if kernelOI. */
    static long wIndex(ConvGeom g, boolean kernelOI, int i, int j, int ci, int co) {
        long tap = (long) i * g.kw() + j;
        return kernelOI ? (tap * g.cout() + co) * g.cin() + ci : (tap * g.cin() + ci) * g.cout() + co;
    }

    /** {@code db[c] = sum over all pixels of g[.., c]} for g {@code [pixels, c]}, written. */
    public static void biasGrad(MemorySegment g, long pixels, int c, MemorySegment db) {
        for (int k = 0; k < c; k++) {
            float acc = 0f;
            for (long p = 0; p < pixels; p++) acc += g.getAtIndex(F, p * c + k);
            db.setAtIndex(F, k, acc);
        }
    }
}
