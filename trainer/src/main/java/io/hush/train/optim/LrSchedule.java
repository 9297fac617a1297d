package io.hush.train.optim;

import io.hush.train.state.State;

/**
 * Learning-rate schedules. The trainer asks {@link #lr} before every step with the epoch as a real number
 * (epoch + fraction done), and reports the monitored validation value after every epoch to {@link #epochEnd}.
 * <ul>
 * <li>{@link #constant()}</li>
 * <li>{@link #step}: base * gamma^floor(epoch / every) (whole epochs, like Keras/PyTorch StepLR).</li>
 * <li>{@link #cosine}: linear warm-up over {@code warmup} epochs, then min + (base-min)(1+cos(pi t))/2 with t going
 *   from 0 to 1 over the remaining epochs, per step.</li>
 * <li>{@link #plateau}: multiply by {@code factor} when the monitored value has not improved by {@code minDelta} for
 *   {@code patience} epochs in a row (Keras ReduceLROnPlateau, mode min), never below {@code min}, then wait
 *   {@code cooldown} epochs. Stateful: its state goes into checkpoints.</li>
 * </ul>
 */
public abstract class LrSchedule {
    public abstract double lr(double base, double epoch);

    public void epochEnd(int epoch, double monitored) {}

    public void save(State s, String prefix) {}

    public void load(State s, String prefix) {}

    public abstract String describe();

    public static LrSchedule constant() {
        return new LrSchedule() {
            @Override public double lr(double base, double epoch) { return base; }
            @Override public String describe() { return "constant"; }
        };
    }

    public static LrSchedule step(int every, double gamma) {
        if (every < 1 || !(gamma > 0)) throw new IllegalArgumentException("step schedule needs every >= 1 and gamma > 0, got " + every + ", " + gamma);
        return new LrSchedule() {
            @Override public double lr(double base, double epoch) { return base * Math.pow(gamma, Math.floor(epoch / every)); }
            @Override public String describe() { return "step(every=" + every + ", gamma=" + gamma + ")"; }
        };
    }

    public static LrSchedule cosine(int epochs, double min, int warmup) {
        if (epochs < 1 || warmup < 0 || warmup >= epochs) {
            throw new IllegalArgumentException("cosine schedule needs epochs >= 1 and 0 <= warmup < epochs, got " + epochs + ", " + warmup);
        }
        return new LrSchedule() {
            @Override public double lr(double base, double epoch) {
                if (epoch < warmup) return base * (epoch + 1e-12) / warmup;
                double t = Math.min(1, (epoch - warmup) / (epochs - warmup));
                return min + (base - min) * 0.5 * (1 + Math.cos(Math.PI * t));
            }
            @Override public String describe() { return "cosine(epochs=" + epochs + ", min=" + min + ", warmup=" + warmup + ")"; }
        };
    }

    public static Plateau plateau(double factor, int patience, double minDelta, double min, int cooldown) {
        return new Plateau(factor, patience, minDelta, min, cooldown);
    }

    /** Reduce on plateau; {@link #lr} returns base times the reductions so far (floored at min). */
    public static final class Plateau extends LrSchedule {
        private final double factor, minDelta, min;
        private final int patience, cooldown;
        private double best = Double.POSITIVE_INFINITY, scale = 1;
        private int wait, cooldownLeft;

        Plateau(double factor, int patience, double minDelta, double min, int cooldown) {
            if (!(factor > 0 && factor < 1)) throw new IllegalArgumentException("plateau factor must be in (0,1), got " + factor);
            if (patience < 0 || cooldown < 0) throw new IllegalArgumentException("plateau patience/cooldown must be >= 0");
            this.factor = factor;
            this.patience = patience;
            this.minDelta = minDelta;
            this.min = min;
            this.cooldown = cooldown;
        }

        @Override public double lr(double base, double epoch) { return Math.max(min, base * scale); }

        @Override
        public void epochEnd(int epoch, double v) {
            if (Double.isNaN(v)) return;
            // Keras' order: a cooldown epoch counts down and resets the wait first
            if (cooldownLeft > 0) {
                cooldownLeft--;
                wait = 0;
            }
            if (v < best - minDelta) {
                best = v;
                wait = 0;
            } else if (cooldownLeft == 0 && ++wait >= patience) {
                scale *= factor;
                wait = 0;
                cooldownLeft = cooldown;
            }
        }

        @Override public void save(State s, String p) {
            s.putDoubles(p + "plateau", new double[] {best, scale, wait, cooldownLeft});
        }

        @Override public void load(State s, String p) {
            double[] d = s.getDoubles(p + "plateau");
            best = d[0];
            scale = d[1];
            wait = (int) d[2];
            cooldownLeft = (int) d[3];
        }

        @Override public String describe() {
            return "plateau(factor=" + factor + ", patience=" + patience + ", min=" + min + ", cooldown=" + cooldown + ")";
        }
    }
}
