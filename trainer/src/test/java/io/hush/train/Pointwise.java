package io.hush.train;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.Exec;
import io.hush.engine.layers.CustomLayer;
import io.hush.engine.layers.Param;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Test-only 1x1 convolution (a dense layer over channels at every pixel) with a fused activation: enough of a
 * trainable layer to exercise the training loop without depending on the engine's Conv2D.
 */
final class Pointwise extends CustomLayer {
    private final int units;
    private final Activation act;
    private Param kernel, bias;

    Pointwise(int units, Activation act) {
        this.units = units;
        this.act = act;
    }

    @Override public String type() { return "Pointwise"; }

    @Override
    public Shape outputShape(Shape... in) {
        int[] d = in[0].dims();
        d[d.length - 1] = units;
        return Shape.of(d);
    }

    @Override
    public void createParams(Shape[] in, Arena arena) {
        int cin = in[0].dim(-1);
        kernel = new Param(name() + "/kernel", Tensor.allocate(arena, cin, units), Tensor.allocate(arena, cin, units), true, true);
        bias = new Param(name() + "/bias", Tensor.allocate(arena, units), Tensor.allocate(arena, units), true, false);
    }

    @Override public List<Param> params() { return List.of(kernel, bias); }

    @Override
    public void initialize(SplittableRandom rng) {
        int cin = kernel.value.shape().dim(0);
        double lim = Math.sqrt(6.0 / (cin + units));
        for (long i = 0; i < kernel.value.size(); i++) kernel.value.set(i, (float) ((rng.nextDouble() * 2 - 1) * lim));
        for (long i = 0; i < bias.value.size(); i++) bias.value.set(i, 0.01f);
    }

    @Override
    public void forward(Tensor[] in, Tensor out, Exec ex) {
        Tensor x = in[0];
        int cin = x.shape().dim(-1);
        long pixels = x.size() / cin;
        for (long p = 0; p < pixels; p++) {
            for (int o = 0; o < units; o++) {
                float s = bias.value.get(o);
                for (int c = 0; c < cin; c++) s += x.get(p * cin + c) * kernel.value.get((long) c * units + o);
                out.set(p * units + o, act.apply(s));
            }
        }
    }

    @Override
    public void backward(Tensor[] in, Tensor out, Tensor gradOut, Tensor[] gradIn, Exec ex) {
        Tensor x = in[0];
        int cin = x.shape().dim(-1);
        long pixels = x.size() / cin;
        kernel.grad.fill(0f);
        bias.grad.fill(0f);
        if (gradIn[0] != null) gradIn[0].fill(0f);
        for (long p = 0; p < pixels; p++) {
            for (int o = 0; o < units; o++) {
                float d = gradOut.get(p * units + o) * act.derivFromOutput(out.get(p * units + o));
                bias.grad.set(o, bias.grad.get(o) + d);
                for (int c = 0; c < cin; c++) {
                    long k = (long) c * units + o;
                    kernel.grad.set(k, kernel.grad.get(k) + d * x.get(p * cin + c));
                    if (gradIn[0] != null) gradIn[0].set(p * cin + c, gradIn[0].get(p * cin + c) + d * kernel.value.get(k));
                }
            }
        }
    }
}
