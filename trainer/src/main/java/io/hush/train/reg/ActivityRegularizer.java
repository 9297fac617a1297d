package io.hush.train.reg;

/**
 * Penalties on the activation of one model node (the latent code of an autoencoder), whose gradient the trainer
 * injects at that node with {@code Model.backward(gradOut, node, extraGrad)}. The activation is {@code [N, ..., U]}
 * with U units in the last dimension; every other position counts as a sample of the unit.
 * <ul>
 * <li>KL sparsity (Ng's sparse autoencoder): rhoHat_j = mean activation of unit j over the batch and positions
 *   (clamped to [1e-6, 1-1e-6]; the activation should lie in (0,1), e.g. sigmoid),
 *   penalty = beta * sum_j [rho log(rho/rhoHat_j) + (1-rho) log((1-rho)/(1-rhoHat_j))],
 *   d/da = beta * (-rho/rhoHat_j + (1-rho)/(1-rhoHat_j)) / M with M the positions per unit.</li>
 * <li>L1 activity (Keras' activity_regularizer=l1(l1)): penalty = l1 * sum|a| / N (per sample, as Keras divides by
 *   the batch size), d/da = l1 * sign(a) / N.</li>
 * </ul>
 */
public record ActivityRegularizer(int node, double rho, double beta, double l1) {
    static final double CLAMP = 1e-6;

    public ActivityRegularizer {
        if (node < 1) throw new IllegalArgumentException("activity regularisation needs a layer node (>= 1), got " + node);
        if (beta > 0 && !(rho > 0 && rho < 1)) throw new IllegalArgumentException("sparsity target rho must be in (0,1), got " + rho);
        if (!(beta >= 0 && l1 >= 0)) throw new IllegalArgumentException("activity penalties must be >= 0, got beta=" + beta + ", l1=" + l1);
    }

    public static ActivityRegularizer kl(int node, double rho, double beta) { return new ActivityRegularizer(node, rho, beta, 0); }

    public static ActivityRegularizer l1(int node, double l1) { return new ActivityRegularizer(node, 0.05, 0, l1); }

    /** Penalty of activation {@code a} ({@code n} samples, {@code units} in the last dimension); writes d/da into {@code g}. */
    public double apply(float[] a, float[] g, int n, int units) {
        if (a.length % units != 0 || a.length % n != 0) {
            throw new IllegalArgumentException("activation of " + a.length + " values is not " + n + " samples of " + units + " units");
        }
        int positions = a.length / units;
        java.util.Arrays.fill(g, 0f);
        double total = 0;
        if (beta > 0) {
            double[] mean = new double[units];
            for (int i = 0; i < a.length; i++) mean[i % units] += a[i];
            float[] d = new float[units];
            for (int j = 0; j < units; j++) {
                double r = Math.min(Math.max(mean[j] / positions, CLAMP), 1 - CLAMP);
                total += beta * (rho * Math.log(rho / r) + (1 - rho) * Math.log((1 - rho) / (1 - r)));
                d[j] = (float) (beta * (-rho / r + (1 - rho) / (1 - r)) / positions);
            }
            for (int i = 0; i < a.length; i++) g[i] += d[i % units];
        }
        if (l1 > 0) {
            double abs = 0;
            float s = (float) (l1 / n);
            for (int i = 0; i < a.length; i++) {
                abs += Math.abs(a[i]);
                g[i] += a[i] > 0 ? s : a[i] < 0 ? -s : 0f;
            }
            total += l1 * abs / n;
        }
        return total;
    }
}
