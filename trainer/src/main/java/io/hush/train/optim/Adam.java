package io.hush.train.optim;

import io.hush.engine.layers.Param;

/**
 * Adam (Kingma and Ba), and AdamW (Loshchilov and Hutter) when {@code weightDecay > 0}: decoupled decay
 * w *= 1 - lr*weightDecay before the Adam step, applied to parameters with {@link Param#regularize} (kernels, not
 * biases or BatchNorm). Coupled L2 decay belongs in the loss instead (io.hush.train.reg.WeightRegularizer).
 */
public final class Adam extends Optimizer {
    private final double beta1, beta2, eps, weightDecay;
    private float stepSize, sqrtBc2, decayMul;

    public Adam(double lr) { this(lr, 0.9, 0.999, 1e-8, 0); }

    public Adam(double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(lr);
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("Adam betas must be in [0,1), got " + beta1 + ", " + beta2);
        if (!(eps > 0)) throw new IllegalArgumentException("Adam epsilon must be > 0, got " + eps);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** AdamW with the usual betas. */
    public static Adam adamW(double lr, double weightDecay) { return new Adam(lr, 0.9, 0.999, 1e-8, weightDecay); }

    @Override public String describe() {
        return (weightDecay > 0 ? "adamw(lr=" + lr + ", weight_decay=" + weightDecay : "adam(lr=" + lr)
                + ", beta1=" + beta1 + ", beta2=" + beta2 + ", eps=" + eps + ")";
    }

    @Override protected int slotCount() { return 2; }

    @Override
    protected void prepare() {
        double bc1 = 1 - Math.pow(beta1, iterations);
        double bc2 = 1 - Math.pow(beta2, iterations);
        stepSize = (float) (lr / bc1);
        sqrtBc2 = (float) Math.sqrt(bc2);
        decayMul = (float) (1 - lr * weightDecay);
    }

    @Override
    protected void update(int p, Param param, long from, long to) {
        UpdateKernels.adam(param.value.data(), param.grad.data(), slots[p][0], slots[p][1], from, to,
                (float) beta1, (float) (1 - beta1), (float) beta2, (float) (1 - beta2), stepSize, sqrtBc2, (float) eps, param.regularize ? decayMul : 1f);
    }
}
