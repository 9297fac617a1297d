package io.hush.train.optim;

import io.hush.engine.layers.Param;

/** SGD, optionally with (Nesterov) momentum; see {@link UpdateKernels#momentum} for the exact update. */
public final class Sgd extends Optimizer {
    private final double momentum;
    private final boolean nesterov;

    public Sgd(double lr) { this(lr, 0, false); }

    public Sgd(double lr, double momentum, boolean nesterov) {
        super(lr);
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("SGD momentum must be in [0,1), got " + momentum);
        if (nesterov && momentum == 0) throw new IllegalArgumentException("Nesterov SGD needs momentum > 0");
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    @Override public String describe() {
        return "sgd(lr=" + lr + (momentum > 0 ? ", momentum=" + momentum : "") + (nesterov ? ", nesterov" : "") + ")";
    }

    @Override protected int slotCount() { return momentum > 0 ? 1 : 0; }

    @Override
    protected void update(int p, Param param, long from, long to) {
        if (momentum == 0) UpdateKernels.sgd(param.value.data(), param.grad.data(), from, to, (float) lr);
        else UpdateKernels.momentum(param.value.data(), param.grad.data(), slots[p][0], from, to, (float) lr, (float) momentum, nesterov);
    }
}
