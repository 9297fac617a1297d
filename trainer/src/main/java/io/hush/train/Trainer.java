package io.hush.train;

import io.hush.data.Batch;
import io.hush.data.Seeds;
import io.hush.engine.Model;
import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.ThreadPool;
import io.hush.engine.layers.Param;
import io.hush.train.loss.Loss;
import io.hush.train.optim.LrSchedule;
import io.hush.train.optim.Optimizer;
import io.hush.train.reg.ActivityRegularizer;
import io.hush.train.reg.WeightRegularizer;
import io.hush.train.state.State;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop, Keras-style:
 * <pre>{@code
 * try (Trainer t = Trainer.compile(model, new Adam(1e-3), PixelLoss.mse())
 *         .residual(false).clipNorm(0).checkpoint(dir.resolve("last.ckpt"), 0)) {
 *     History h = t.fit(train, val, 30, new ProgressLog(), new CsvLogger(csv), new EarlyStopping("val_loss", 5));
 * }
 * }</pre>
 *
 * <p>One step: copy the batch's noisy images into the input tensor, forward in training mode, loss on the output
 * (or, with {@link #residual}, on {@code noisy - output}: the network predicts the noise), activity penalty at its
 * node, backward (injecting the activity gradient at that node), weight penalty gradients, gradient-norm clipping,
 * learning rate from the schedule, optimiser step.
 *
 * <p>After every epoch: validation (loss, PSNR and SSIM of the denoised output clipped to [0,1], and the PSNR of the
 * noisy input for reference), the schedule's epoch end (reduce-on-plateau watches {@link #monitor}), callbacks, then
 * the checkpoint. Epoch logs: {@code epoch} (1-based), {@code loss} (data loss, mean over samples), {@code reg}
 * (penalties), {@code val_loss}, {@code val_psnr}, {@code val_ssim}, {@code val_psnr_noisy}, {@code lr},
 * {@code seconds}.
 *
 * <p>Exact resume: a checkpoint holds every parameter (trainable or not), the optimiser state, the schedule and
 * callback state, the history, the epoch/batch position and the running sums of the epoch. Every random stream
 * (data order, noise, dropout) is derived from the seed and the position, so a run resumed from its last
 * checkpoint on one thread ends bit-identical to one that never stopped. On several threads the same holds as long
 * as the layers' kernels are thread-count independent.
 */
public final class Trainer implements AutoCloseable {
    private final Model model;
    private final Optimizer optimizer;
    private final Loss loss;
    private ThreadPool pool;
    private final double baseLr;
    private boolean residual;
    private WeightRegularizer weightReg = new WeightRegularizer(0, 0);
    private ActivityRegularizer activity;
    private double clipNorm;
    private LrSchedule schedule = LrSchedule.constant();
    private String monitor = "val_loss";
    private long seed = 42;
    private Path checkpointFile;
    private int checkpointEvery;
    private Path resumeFrom;
    private int stepsPerEpoch;

    private final Arena arena = Arena.ofShared();
    private final Map<Scratch, Tensor> tensors = new HashMap<>();
    private float[] out = new float[0], pred = new float[0], grad = new float[0], act = new float[0], actGrad = new float[0];

    // run position and running sums (all in checkpoints)
    private int epochs, epoch, batch, batches;
    private long globalStep;
    private double lossSum, regSum, samplesSeen;
    private boolean stopRequested;
    private History history = new History();
    private List<Callback> callbacks = List.of();
    private double lastGradNorm = Double.NaN;

    private Trainer(Model model, Optimizer optimizer, Loss loss) {
        this.model = model;
        this.optimizer = optimizer;
        this.loss = loss;
        this.pool = model.pool();
        this.baseLr = optimizer.lr();
        optimizer.attach(model.params(), pool);
    }

    /** A trainer for {@code model}; the optimiser's learning rate is the schedule's base rate. */
    public static Trainer compile(Model model, Optimizer optimizer, Loss loss) {
        if (model == null || optimizer == null || loss == null) throw new IllegalArgumentException("compile needs a model, an optimiser and a loss");
        return new Trainer(model, optimizer, loss);
    }

    // ---- options ----

    /** Residual learning: the network predicts the noise and the denoised image is {@code input - output}. */
    public Trainer residual(boolean on) { residual = on; return this; }

    public Trainer weightRegularizer(WeightRegularizer r) { weightReg = r; return this; }

    public Trainer activityRegularizer(ActivityRegularizer r) {
        if (r != null && r.node() >= model.nodes().size()) {
            throw new IllegalArgumentException("activity regularisation on node " + r.node() + ", the model has nodes 0.." + (model.nodes().size() - 1));
        }
        activity = r;
        return this;
    }

    /** Gradient-norm clipping threshold (0 = off). */
    public Trainer clipNorm(double maxNorm) {
        if (!(maxNorm >= 0)) throw new IllegalArgumentException("clip norm must be >= 0, got " + maxNorm);
        clipNorm = maxNorm;
        return this;
    }

    public Trainer schedule(LrSchedule s) { schedule = s; return this; }

    /** The log value reduce-on-plateau and {@link #improved} comparisons watch (default val_loss). */
    public Trainer monitor(String key) { monitor = key; return this; }

    /** Seed of the dropout streams (data order and noise are seeded by their sources). */
    public Trainer seed(long s) { seed = s; return this; }

    /** Writes the full training state to {@code file} after every epoch and every {@code everySteps} steps (0 = epochs only). */
    public Trainer checkpoint(Path file, int everySteps) {
        if (everySteps < 0) throw new IllegalArgumentException("checkpoint interval must be >= 0, got " + everySteps);
        checkpointFile = file;
        checkpointEvery = everySteps;
        return this;
    }

    /** Keras' steps_per_epoch: at most this many batches of each epoch (0 = all of them). */
    public Trainer stepsPerEpoch(int steps) {
        if (steps < 0) throw new IllegalArgumentException("steps per epoch must be >= 0, got " + steps);
        stepsPerEpoch = steps;
        return this;
    }

    /** Continues the run saved in {@code file} at the next {@link #fit}. */
    public Trainer resume(Path file) { resumeFrom = file; return this; }

    // ---- accessors for callbacks ----

    public Model model() { return model; }
    public Optimizer optimizer() { return optimizer; }
    public Loss loss() { return loss; }
    public boolean residual() { return residual; }
    public int epochs() { return epochs; }
    public int epoch() { return epoch; }
    public int batches() { return batches; }
    public long globalStep() { return globalStep; }
    public double lastGradNorm() { return lastGradNorm; }
    public History history() { return history; }
    public String monitor() { return monitor; }
    /** Mean data loss of the current epoch so far. */
    public double runningLoss() { return samplesSeen == 0 ? Double.NaN : lossSum / samplesSeen; }
    /** Samples trained on in the current epoch so far. */
    public long samplesSeen() { return (long) samplesSeen; }

    /** Asks the loop to stop after the current epoch (early stopping). */
    public void stop() { stopRequested = true; }

    public String describe() {
        return "loss=" + loss.name() + ", optimizer=" + optimizer.describe() + ", schedule=" + schedule.describe()
                + (residual ? ", residual" : "") + (weightReg.active() ? ", l1=" + weightReg.l1() + ", l2=" + weightReg.l2() : "")
                + (activity != null ? ", activity=" + activity : "") + (clipNorm > 0 ? ", clipnorm=" + clipNorm : "");
    }

    // ---- the loop ----

    /**
     * Trains for {@code epochs} epochs in total (a resumed run counts the epochs already done) and returns the history.
     * {@code val} may be null (no validation logs).
     */
    public History fit(BatchSource train, BatchSource val, int epochs, Callback... cbs) {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        if (train.batches() < 1) throw new IllegalArgumentException("the training data has no batches");
        this.epochs = epochs;
        this.batches = stepsPerEpoch > 0 ? Math.min(stepsPerEpoch, train.batches()) : train.batches();
        pool = model.pool(); // the model may have switched pools since compile (Model.threads)
        optimizer.pool(pool);
        this.callbacks = List.of(cbs);
        epoch = 0;
        batch = 0;
        globalStep = 0;
        lossSum = regSum = samplesSeen = 0;
        stopRequested = false;
        history = new History();
        if (resumeFrom != null) {
            try {
                load(State.read(resumeFrom));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (Callback c : callbacks) c.onTrainBegin(this);
        long epochStart = System.nanoTime();
        while (epoch < epochs && !stopRequested) {
            if (batch == 0) {
                lossSum = regSum = samplesSeen = 0;
                epochStart = System.nanoTime();
            }
            train.epoch(epoch);
            if (batch > 0) train.skip(batch);
            for (Callback c : callbacks) c.onEpochBegin(this, epoch);
            while (batch < batches) {
                Batch b = train.next();
                double l = step(b);
                batch++;
                globalStep++;
                for (Callback c : callbacks) c.onBatchEnd(this, epoch, batch - 1, l);
                if (checkpointFile != null && checkpointEvery > 0 && globalStep % checkpointEvery == 0) writeCheckpoint(checkpointFile);
            }
            Map<String, Double> logs = new LinkedHashMap<>();
            logs.put("epoch", (double) (epoch + 1));
            logs.put("loss", lossSum / samplesSeen);
            if (weightReg.active() || activity != null) logs.put("reg", regSum / samplesSeen);
            if (val != null) logs.putAll(evaluate(val));
            logs.put("lr", optimizer.lr());
            logs.put("seconds", (System.nanoTime() - epochStart) / 1e9);
            schedule.epochEnd(epoch, logs.getOrDefault(monitor, Double.NaN));
            history.add(logs);
            for (Callback c : callbacks) c.onEpochEnd(this, epoch, logs);
            epoch++;
            batch = 0;
            lossSum = regSum = samplesSeen = 0;
            if (checkpointFile != null) writeCheckpoint(checkpointFile);
        }
        for (Callback c : callbacks) c.onTrainEnd(this, history);
        resumeFrom = null;
        return history;
    }

    /** One optimiser step on a batch; returns its data loss. */
    double step(Batch b) {
        Tensor x = tensor(Shape.of(b.n(), b.h(), b.w(), b.c()), Purpose.INPUT);
        x.copyFrom(b.input());
        model.step(Seeds.derive(seed, 0xD209, globalStep)); // fresh dropout masks per step, a function of (seed, step)
        Tensor y = model.forward(x, true);
        Shape lossShape = lossShape(y, b);
        int size = (int) y.size();
        out = sized(out, size);
        grad = sized(grad, size);
        MemorySegment.copy(y.data(), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, out, 0, size);
        float[] p = out;
        if (residual) {
            pred = sized(pred, size);
            for (int i = 0; i < size; i++) pred[i] = b.input()[i] - out[i];
            p = pred;
        }
        double l = loss.compute(p, b.target(), grad, lossShape, pool);
        if (!Double.isFinite(l)) { // before backward and the update: the weights stay as they were
            throw new IllegalStateException("loss became " + l + " at epoch " + (epoch + 1) + ", batch " + (batch + 1)
                    + " (learning rate " + optimizer.lr() + "; try a lower rate or gradient clipping)");
        }
        if (residual) for (int i = 0; i < size; i++) grad[i] = -grad[i];
        Tensor gy = tensor(y.shape(), Purpose.OUTPUT_GRAD);
        gy.copyFrom(grad);
        double reg = 0;
        if (activity != null) {
            Tensor a = model.activation(activity.node());
            int n = (int) a.size();
            act = sized(act, n);
            actGrad = sized(actGrad, n);
            MemorySegment.copy(a.data(), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, act, 0, n);
            reg += activity.apply(act, actGrad, b.n(), a.shape().dim(-1));
            Tensor ga = tensor(a.shape(), Purpose.ACTIVITY_GRAD);
            ga.copyFrom(actGrad);
            model.backward(gy, activity.node(), ga);
        } else {
            model.backward(gy);
        }
        reg += weightReg.apply(optimizer.params());
        if (clipNorm > 0) lastGradNorm = optimizer.clipGradNorm(clipNorm);
        optimizer.lr(schedule.lr(baseLr, epoch + (double) batch / batches));
        optimizer.step();
        lossSum += l * b.n();
        regSum += reg * b.n();
        samplesSeen += b.n();
        return l;
    }

    private Shape lossShape(Tensor y, Batch b) {
        Shape img = Shape.of(b.n(), b.h(), b.w(), b.c());
        if (y.size() != img.size()) {
            throw new IllegalArgumentException("model output " + y.shape() + " does not match the target batch " + img
                    + (residual ? " (residual learning needs output = input shape)" : ""));
        }
        return img;
    }

    /** Validation logs over every batch of {@code val} (epoch 0 of the source, so the same images each time). */
    public Map<String, Double> evaluate(BatchSource val) {
        val.epoch(0);
        double lsum = 0, psnr = 0, psnrNoisy = 0, ssim = 0, n = 0;
        for (int i = 0, nb = val.batches(); i < nb; i++) {
            Batch b = val.next();
            float[] den = denoise(b.input(), b.n(), b.h(), b.w(), b.c());
            lsum += loss.compute(den, b.target(), null, Shape.of(b.n(), b.h(), b.w(), b.c()), pool) * b.n();
            for (int j = 0; j < den.length; j++) den[j] = Math.min(1f, Math.max(0f, den[j]));
            psnr += Metrics.psnrSum(den, b.target(), b.n());
            psnrNoisy += Metrics.psnrSum(b.input(), b.target(), b.n());
            ssim += Metrics.ssimSum(den, b.target(), b.n(), b.h(), b.w(), b.c());
            n += b.n();
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("val_loss", lsum / n);
        m.put("val_psnr", psnr / n);
        m.put("val_ssim", ssim / n);
        m.put("val_psnr_noisy", psnrNoisy / n);
        return m;
    }

    /** Inference on a batch {@code [n,h,w,c]}: the denoised images (input - output with residual learning), unclipped. */
    public float[] denoise(float[] noisy, int n, int h, int w, int c) {
        Tensor x = tensor(Shape.of(n, h, w, c), Purpose.INFERENCE_INPUT);
        x.copyFrom(noisy);
        Tensor y = model.forward(x, false);
        if (y.size() != noisy.length) throw new IllegalArgumentException("model output " + y.shape() + " does not match input " + x.shape());
        float[] r = y.toArray();
        if (residual) for (int i = 0; i < r.length; i++) r[i] = noisy[i] - r[i];
        return r;
    }

    private static float[] sized(float[] a, int n) { return a.length == n ? a : new float[n]; }

    /** What a cached tensor of {@link #tensor} holds; one tensor per (purpose, shape). */
    private enum Purpose {
        /** The noisy training batch fed to the model, {@code [n,h,w,c]}. */
        INPUT,
        /** The loss gradient with respect to the model output, the output's shape (e.g. {@code [n,h,w,c]}). */
        OUTPUT_GRAD,
        /** The activity regulariser's gradient at its node, that node's output shape. */
        ACTIVITY_GRAD,
        /** The batch {@link #denoise} runs through the model, {@code [n,h,w,c]}. */
        INFERENCE_INPUT
    }

    /** Key of a cached tensor. */
    private record Scratch(Purpose purpose, Shape shape) {}

    /** A cached tensor of this shape for this purpose (allocated once, reused by later steps). */
    private Tensor tensor(Shape s, Purpose purpose) {
        return tensors.computeIfAbsent(new Scratch(purpose, s), key -> Tensor.allocate(arena, s));
    }

    // ---- checkpoints ----

    /** Writes the complete training state (atomically). */
    public void writeCheckpoint(Path file) {
        State s = new State();
        s.putString("format", "hush-train-checkpoint");
        s.putLong("seed", seed);
        s.putLong("epoch", epoch);
        s.putLong("batch", batch);
        s.putLong("batches", batches);
        s.putLong("globalStep", globalStep);
        s.putLong("stopped", stopRequested ? 1 : 0);
        s.putDoubles("sums", new double[] {lossSum, regSum, samplesSeen});
        List<Param> ps = model.params();
        s.putLong("params", ps.size());
        for (int i = 0; i < ps.size(); i++) {
            s.putString("param/" + i + "/name", ps.get(i).name);
            s.putFloats("param/" + i, ps.get(i).value.toArray());
        }
        optimizer.save(s, "opt/");
        schedule.save(s, "schedule/");
        history.save(s, "history/");
        for (int i = 0; i < callbacks.size(); i++) {
            s.putString("cb/" + i + "/type", callbacks.get(i).getClass().getName());
            callbacks.get(i).save(s, "cb/" + i + "/");
        }
        try {
            s.write(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + file, e);
        }
    }

    private void load(State s) {
        if (!s.has("format") || !s.getString("format").equals("hush-train-checkpoint")) {
            throw new IllegalArgumentException(resumeFrom + " is not a training checkpoint");
        }
        if (s.getLong("seed") != seed) {
            throw new IllegalArgumentException(resumeFrom + " was written by a run with seed " + s.getLong("seed") + ", this run has seed " + seed);
        }
        if (s.getLong("batches") != batches) {
            throw new IllegalArgumentException(resumeFrom + " was written with " + s.getLong("batches") + " batches per epoch, the data now gives "
                    + batches + " (same data and batch size are needed to resume)");
        }
        List<Param> ps = model.params();
        if (s.getLong("params") != ps.size()) {
            throw new IllegalArgumentException(resumeFrom + " holds " + s.getLong("params") + " parameters, the model has " + ps.size());
        }
        for (int i = 0; i < ps.size(); i++) {
            float[] v = s.getFloats("param/" + i);
            Param p = ps.get(i);
            if (v.length != p.value.size()) {
                throw new IllegalArgumentException(resumeFrom + ": parameter " + i + " '" + s.getString("param/" + i + "/name") + "' has "
                        + v.length + " values, the model's " + p + " has " + p.value.size());
            }
            p.value.copyFrom(v);
        }
        optimizer.load(s, "opt/");
        schedule.load(s, "schedule/");
        history.load(s, "history/");
        for (int i = 0; i < callbacks.size(); i++) {
            String key = "cb/" + i + "/type";
            if (s.has(key) && s.getString(key).equals(callbacks.get(i).getClass().getName())) callbacks.get(i).load(s, "cb/" + i + "/");
        }
        epoch = (int) s.getLong("epoch");
        batch = (int) s.getLong("batch");
        globalStep = s.getLong("globalStep");
        stopRequested = s.getLong("stopped") != 0;
        double[] sums = s.getDoubles("sums");
        lossSum = sums[0];
        regSum = sums[1];
        samplesSeen = sums[2];
    }

    /** Copies of every parameter's values (for keep-best and restore-best callbacks). */
    public List<float[]> snapshot() {
        List<float[]> r = new ArrayList<>();
        for (Param p : model.params()) r.add(p.value.toArray());
        return r;
    }

    public void restore(List<float[]> snap) {
        List<Param> ps = model.params();
        for (int i = 0; i < ps.size(); i++) ps.get(i).value.copyFrom(snap.get(i));
    }

    @Override
    public void close() {
        optimizer.close();
        arena.close();
        tensors.clear();
    }
}
