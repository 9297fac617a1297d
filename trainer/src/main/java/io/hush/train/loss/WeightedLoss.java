package io.hush.train.loss;

import io.hush.engine.Shape;
import io.hush.engine.ThreadPool;

import java.util.List;

/** A weighted sum of losses, e.g. 0.84*(1-SSIM) + 0.16*L1 (Zhao et al., "Loss functions for image restoration"). */
public final class WeightedLoss implements Loss {
    private final List<Loss> parts;
    private final double[] weights;
    private float[] tmp = new float[0];

    public WeightedLoss(List<Loss> parts, double[] weights) {
        if (parts.isEmpty() || parts.size() != weights.length) {
            throw new IllegalArgumentException("weighted loss needs one weight per loss, got " + parts.size() + " losses and " + weights.length + " weights");
        }
        this.parts = List.copyOf(parts);
        this.weights = weights.clone();
    }


    public double weight(int i) { return weights[i]; }

    @Override
    public String name() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) sb.append(i == 0 ? "" : "+").append(weights[i]).append('*').append(parts.get(i).name());
        return sb.toString();
    }

    @Override
    public double compute(float[] y, float[] t, float[] dy, Shape shape, ThreadPool pool) {
        double total = 0;
        if (dy != null) {
            java.util.Arrays.fill(dy, 0f);
            if (tmp.length != dy.length) tmp = new float[dy.length];
        }
        for (int i = 0; i < parts.size(); i++) {
            total += weights[i] * parts.get(i).compute(y, t, dy == null ? null : tmp, shape, pool);
            if (dy != null) {
                float wi = (float) weights[i];
                for (int j = 0; j < dy.length; j++) dy[j] += wi * tmp[j];
            }
        }
        return total;
    }
}
