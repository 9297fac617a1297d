package io.hush.train;

import io.hush.data.BatchLoader;
import io.hush.data.DataPaths;
import io.hush.data.Dataset;
import io.hush.data.ImageFolder;
import io.hush.engine.Model;
import io.hush.engine.ModelCard;
import io.hush.engine.layers.Init;
import io.hush.noise.GaussianNoise;
import io.hush.noise.MixtureNoise;
import io.hush.noise.Noise;
import io.hush.noise.NoiseModel;
import io.hush.train.loss.Losses;
import io.hush.train.optim.Adam;
import io.hush.train.optim.LrSchedule;
import io.hush.train.optim.Optimizer;
import io.hush.train.optim.Sgd;
import io.hush.train.reg.ActivityRegularizer;
import io.hush.train.reg.WeightRegularizer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A whole training run from a {@link TrainConfig} — what {@code hush train} does: load the data (IDX or an image
 * folder, via io.hush.data), noise it on the fly (io.hush.noise), build the network ({@link Architectures}), train
 * ({@link Trainer}) with progress, CSV log, plots, checkpoints, keep-best and early stopping, and write the model.
 *
 * <pre>{@code
 * Training.Result r = Training.run(TrainConfig.preset("seed-mnist").override(List.of("epochs=5")));
 * }</pre>
 */
public final class Training {
    private Training() {}

    /** What a run produced: its history, the model file written and the run folder. */
    public record Result(History history, Path model, Path runDir) {}

    public static Result run(TrainConfig cfg) throws IOException {
        return run(cfg, System.out);
    }

    public static Result run(TrainConfig cfg, PrintStream log) throws IOException {
        Path root = cfg.dataDir.isEmpty() ? DataPaths.root() : Path.of(cfg.dataDir);
        NoiseModel noise = NoiseModel.parse(cfg.noise);
        Data data = load(cfg, root);
        log.println("data: " + data.train.size() + " training images" + (data.val != null ? ", " + data.val.size() + " validation" : "")
                + " from " + data.where + "; noise " + noise);

        BatchLoader trainLoader = new BatchLoader(data.train, BatchLoader.Config.training(cfg.patch, cfg.patchesPerImage, cfg.batch,
                cfg.augment.augment(), noise, cfg.seed));
        int h = trainLoader.patchHeight(), w = trainLoader.patchWidth(), c = trainLoader.channels();
        BatchLoader valLoader = null;
        if (data.val != null) {
            int vp = data.val.uniformSize() && (cfg.patch == 0 || data.val.minHeight() == h) ? 0
                    : Math.min(Math.min(data.val.minHeight(), data.val.minWidth()), Math.max(h, 180));
            if (cfg.arch.fixedSize()) vp = h; // fixed-size networks: validate at the training size
            // fixed validation noise: its own seed, always "epoch 0", no shuffling, no augmentation
            valLoader = new BatchLoader(data.val, BatchLoader.Config.validation(vp, cfg.batch, noise, cfg.seed ^ 0x5A17L));
        }

        Model model = Architectures.Spec.of(cfg.arch, h, w, c).withDepth(cfg.depth).withChannels(cfg.channels)
                .withBatchNorm(cfg.batchNorm).withCode(cfg.code).withSeed(cfg.seed).build();
        if (cfg.init == TrainConfig.WeightInit.TORCH) model.initialize(Init.TORCH_DEFAULT, cfg.seed);
        if (!cfg.initFrom.isEmpty()) {
            try {
                copyWeights(Path.of(cfg.initFrom), model);
            } catch (IOException | IllegalArgumentException e) {
                model.close();
                throw e;
            }
        }
        if (cfg.threads > 0) model.threads(cfg.threads);
        fillCard(model.card(), cfg, noise, h, w, c, portable(data.where, root));
        log.println(String.format(Locale.ROOT, "model: %s, %,d parameters, input %dx%dx%d", cfg.arch.text(), model.parameterCount(), h, w, c));

        Path runDir = Path.of(cfg.runDir);
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("config.txt"), cfg.toString());
        Path ckpt = runDir.resolve("last.ckpt");
        Path out = Path.of(cfg.out);
        try (LoaderSource train = new LoaderSource(trainLoader);
             LoaderSource val = valLoader == null ? null : new LoaderSource(valLoader);
             Trainer t = Trainer.compile(model, optimizer(cfg), Losses.parse(cfg.loss))) {
            t.seed(cfg.seed).stepsPerEpoch(cfg.stepsPerEpoch).residual(cfg.residual).clipNorm(cfg.clipNorm).schedule(schedule(cfg))
                    .weightRegularizer(new WeightRegularizer(cfg.l1, cfg.l2))
                    .monitor(cfg.monitor.text())
                    .checkpoint(ckpt, cfg.checkpointEvery);
            if (!cfg.activityLayer.isEmpty()) {
                int node = Architectures.node(model, cfg.activityLayer);
                t.activityRegularizer(new ActivityRegularizer(node, cfg.sparsityRho, cfg.sparsityBeta, cfg.activityL1));
            }
            if (cfg.resume && Files.exists(ckpt)) {
                log.println("resuming from " + ckpt);
                t.resume(ckpt);
            }
            List<Callback> cbs = new ArrayList<>();
            cbs.add(new ProgressLog(log, System.console() != null && log == System.out));
            cbs.add(new CsvLogger(runDir.resolve("log.csv")));
            cbs.add(new PlotCallback(runDir, val, cfg.samples));
            cbs.add(new CardMetrics(data.valName, noise));
            ModelCheckpoint best = null;
            if (val != null) cbs.add(best = new ModelCheckpoint(out, cfg.monitor.monitor()));
            if (cfg.patience > 0) cbs.add(new EarlyStopping(cfg.monitor.monitor(), cfg.patience));
            History hist = t.fit(train, val, cfg.epochs, cbs.toArray(new Callback[0]));
            model.save(runDir.resolve("last.hush"));
            if (best == null || best.saved() == 0) model.save(out);
            log.println("model written to " + out + (best != null ? " (best " + cfg.monitor.text() + " " + String.format(Locale.ROOT, "%.5g", best.best()) + ")" : ""));
            return new Result(hist, out, runDir);
        } finally {
            model.close();
        }
    }

    /**
     * Starts from the weights of a saved model (fine-tuning, or a warm restart with a new schedule): same
     * architecture required — every parameter, BatchNorm statistics included, is copied in order after checking
     * its layer name and shape. One exception turns a gray model into a colour one: when only the input channels of
     * the first kernel [kh,kw,1,F] -> [kh,kw,3,F] and the output channels of the last kernel and bias differ
     * (1 -> 3), the first kernel sees the channel mean (weights / 3 on each of R, G, B) and the last layer writes
     * its one output to all three: the colour network starts as the gray one run on luma, then learns colour.
     */
    static void copyWeights(Path file, Model into) throws IOException {
        try (Model src = Model.load(file)) {
            List<io.hush.engine.layers.Param> from = src.params(), to = into.params();
            if (from.size() != to.size()) {
                throw new IllegalArgumentException("initFrom " + file + ": " + from.size() + " parameter tensors, the network has " + to.size());
            }
            if (expandChannels(from, to)) return;
            for (int i = 0; i < to.size(); i++) {
                if (!from.get(i).value.shape().equals(to.get(i).value.shape())) {
                    throw new IllegalArgumentException("initFrom " + file + ": parameter " + i + " (" + to.get(i).name + ") is "
                            + from.get(i).value.shape() + " there, " + to.get(i).value.shape() + " here");
                }
                to.get(i).value.copyFrom(from.get(i).value);
            }
        }
    }

    /** Gray-to-colour copy (see {@link #copyWeights}); false when the shapes are not of that kind. */
    private static boolean expandChannels(List<io.hush.engine.layers.Param> from, List<io.hush.engine.layers.Param> to) {
        int n = to.size();
        int[] kind = new int[n]; // 0 same, 1 expand input channels, 2 expand output channels (kernel), 3 expand bias
        boolean any = false;
        for (int i = 0; i < n; i++) {
            var fs = from.get(i).value.shape();
            var ts = to.get(i).value.shape();
            if (fs.equals(ts)) continue;
            if (fs.rank() != ts.rank()) return false;
            int r = fs.rank();
            boolean restSame = true;
            if (r == 4 && fs.dim(2) == 1 && ts.dim(2) > 1 && fs.dim(3) == ts.dim(3) && fs.dim(0) == ts.dim(0) && fs.dim(1) == ts.dim(1)) kind[i] = 1;
            else if (r == 4 && fs.dim(3) == 1 && ts.dim(3) > 1 && fs.dim(2) == ts.dim(2) && fs.dim(0) == ts.dim(0) && fs.dim(1) == ts.dim(1)) kind[i] = 2;
            else if (r == 1 && fs.dim(0) == 1 && ts.dim(0) > 1) kind[i] = 3;
            else restSame = false;
            if (!restSame) return false;
            any = true;
        }
        if (!any) return false;
        for (int i = 0; i < n; i++) {
            var f = from.get(i).value;
            var t = to.get(i).value;
            var ts = t.shape();
            switch (kind[i]) {
                case 0 -> t.copyFrom(f);
                case 1 -> { // [kh,kw,1,F] -> [kh,kw,C,F], each input channel gets w / C
                    int c = ts.dim(2), fo = ts.dim(3), taps = ts.dim(0) * ts.dim(1);
                    for (int k = 0; k < taps; k++)
                        for (int ci = 0; ci < c; ci++)
                            for (int o = 0; o < fo; o++) t.set(((long) k * c + ci) * fo + o, f.get((long) k * fo + o) / c);
                }
                case 2 -> { // [kh,kw,I,1] -> [kh,kw,I,C], the one output copied to every channel
                    int c = ts.dim(3), taps = ts.dim(0) * ts.dim(1) * ts.dim(2);
                    for (int k = 0; k < taps; k++)
                        for (int o = 0; o < c; o++) t.set((long) k * c + o, f.get(k));
                }
                default -> { for (int o = 0; o < ts.dim(0); o++) t.set(o, f.get(0)); }
            }
        }
        return true;
    }

    /**
     * {@code path} relative to {@code base} when inside it, else its last name: no paths of this machine (the card's
     * data set, relative to the data folder, and its config's file paths).
     */
    static String portable(String path, Path base) {
        Path p = Path.of(path).toAbsolutePath().normalize(), b = base.toAbsolutePath().normalize();
        return p.startsWith(b) ? b.relativize(p).toString() : String.valueOf(p.getFileName());
    }

    /** Config keys that name files or folders of the training machine. */
    private static final List<String> PATH_KEYS = List.of("out", "runDir", "initFrom");

    /**
     * The config as the card records it ({@code key = value} lines): {@code out}, {@code runDir} and {@code initFrom}
     * relative to {@code base} (the working directory) when inside it, else their last name only, so a shipped model
     * carries no paths of the machine that trained it.
     */
    static String cardConfig(TrainConfig cfg, Path base) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : cfg.values().entrySet()) {
            String v = e.getValue();
            if (PATH_KEYS.contains(e.getKey()) && !v.isEmpty()) v = portable(v, base);
            sb.append(e.getKey()).append(" = ").append(v).append('\n');
        }
        return sb.toString();
    }

    /** Training and validation images. */
    private record Data(Dataset train, Dataset val, String where, String valName) {}

    private static Data load(TrainConfig cfg, Path root) throws IOException {
        Dataset train, val = null;
        String where, valName = cfg.val;
        String d = cfg.data.toLowerCase(Locale.ROOT);
        if (d.equals("mnist") || d.equals("fashion")) {
            Path tr = root.resolve(d + "-train-images-idx3-ubyte.gz");
            if (!Files.exists(tr)) throw new IOException(tr + ": no such file (data folder " + root + "; set dataDir or -Dhush.data)");
            train = Dataset.fromIdx(tr);
            where = tr.toString();
            if (cfg.val.equals("test")) {
                val = Dataset.fromIdx(root.resolve(d + "-test-images-idx3-ubyte.gz"));
                valName = d + "-test";
            }
        } else {
            Path dir = Files.isDirectory(root.resolve(cfg.data)) ? root.resolve(cfg.data) : Path.of(cfg.data);
            if (!Files.isDirectory(dir)) throw new IOException("training data '" + cfg.data + "' is neither mnist, fashion nor a folder (looked in " + root + ")");
            train = ImageFolder.load(dir, !cfg.color);
            where = dir.toString();
        }
        if (val == null && !cfg.val.equals("none") && !cfg.val.equals("test")) {
            Double frac = fraction(cfg.val);
            if (frac != null) {
                Dataset.Split s = train.split(frac, cfg.seed);
                train = s.train();
                val = s.validation();
                valName = "held-out " + cfg.val;
            } else {
                Path dir = Files.isDirectory(root.resolve(cfg.val)) ? root.resolve(cfg.val) : Path.of(cfg.val);
                val = ImageFolder.load(dir, !cfg.color);
            }
        }
        if (cfg.trainLimit > 0 && train.size() > cfg.trainLimit) train = train.subset(range(cfg.trainLimit));
        if (val != null && cfg.valLimit > 0 && val.size() > cfg.valLimit) val = val.subset(range(cfg.valLimit));
        return new Data(train, val, where, valName);
    }

    private static Double fraction(String s) {
        try {
            double f = Double.parseDouble(s);
            if (!(f > 0 && f < 1)) throw new IllegalArgumentException("validation fraction must be in (0,1), got " + s);
            return f;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    static Optimizer optimizer(TrainConfig cfg) {
        return switch (cfg.optimizer) {
            case ADAM -> new Adam(cfg.lr, cfg.beta1, cfg.beta2, cfg.eps, 0);
            case ADAMW -> new Adam(cfg.lr, cfg.beta1, cfg.beta2, cfg.eps, cfg.weightDecay > 0 ? cfg.weightDecay : 1e-2);
            case SGD -> new Sgd(cfg.lr, cfg.momentum, cfg.nesterov && cfg.momentum > 0);
        };
    }

    static LrSchedule schedule(TrainConfig cfg) {
        return switch (cfg.schedule) {
            case CONSTANT -> LrSchedule.constant();
            case STEP -> LrSchedule.step(cfg.stepEvery, cfg.gamma);
            case COSINE -> LrSchedule.cosine(cfg.epochs, cfg.minLr, cfg.warmup);
            case PLATEAU -> LrSchedule.plateau(cfg.plateauFactor, cfg.plateauPatience, 0, cfg.minLr, 0);
        };
    }

    /** The sigma range of a noise that is one Gaussian or a mixture of Gaussians; null for anything else. */
    static GaussianNoise gaussianSpan(NoiseModel noise) {
        if (noise.stages().size() != 1) return null;
        List<Noise> alternatives = noise.stages().get(0) instanceof MixtureNoise m ? m.alternatives() : noise.stages();
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (Noise n : alternatives) {
            if (!(n instanceof GaussianNoise g)) return null;
            lo = Math.min(lo, g.sigmaLo255());
            hi = Math.max(hi, g.sigmaHi255());
        }
        return new GaussianNoise(lo, hi);
    }

    private static void fillCard(ModelCard card, TrainConfig cfg, NoiseModel noise, int h, int w, int c, String data) {
        card.name(cfg.name).description(cfg.description);
        boolean fixed = cfg.arch.fixedSize();
        card.input(fixed ? ModelCard.InputContract.fixed(h, w, c, 0f, 1f)
                : ModelCard.InputContract.anySize(c, cfg.arch == Architectures.Arch.CONV_AE ? 4 : 1, 0f, 1f));
        GaussianNoise g = gaussianSpan(noise);
        if (g != null) {
            card.noise(g.sigmaLo255() == g.sigmaHi255() ? ModelCard.Noise.gaussian((float) (g.sigmaLo255() / 255))
                    : ModelCard.Noise.gaussianRange((float) (g.sigmaLo255() / 255), (float) (g.sigmaHi255() / 255)));
        } else if (!noise.stages().isEmpty()) {
            Noise first = noise.stages().get(0);
            card.noise(new ModelCard.Noise(first.getClass().getSimpleName().replace("Noise", "").toLowerCase(Locale.ROOT), 0f, 0f, 0f));
        }
        card.training(new ModelCard.Training("arch=" + cfg.arch.text() + ", loss=" + cfg.loss + ", optimizer=" + cfg.optimizer.text() + " lr " + cfg.lr
                + ", batch " + cfg.batch + ", noise " + noise + (cfg.residual ? ", residual" : ""), data, cfg.epochs, 0, cfg.seed, cfg.loss));
        card.extra().put("train.config", cardConfig(cfg, Path.of("")));
        card.output(cfg.residual ? ModelCard.Output.NOISE : ModelCard.Output.CLEAN);
    }

    /** Keeps the model card's training counts and validation metrics current, so a keep-best save carries them. */
    private static final class CardMetrics implements Callback {
        private final String valName;
        private final float sigma;

        CardMetrics(String valName, NoiseModel noise) {
            this.valName = valName;
            GaussianNoise g = gaussianSpan(noise);
            this.sigma = g != null ? (float) (g.sigmaHi255() / 255) : 0f;
        }

        @Override
        public void onEpochEnd(Trainer t, int epoch, Map<String, Double> logs) {
            ModelCard card = t.model().card();
            ModelCard.Training tr = card.training();
            if (tr != null) card.training(new ModelCard.Training(tr.recipe(), tr.dataset(), epoch + 1, t.globalStep(), tr.seed(), tr.loss()));
            card.metrics().clear();
            if (logs.containsKey("val_psnr")) card.metric(new ModelCard.Metric("PSNR", valName, sigma, logs.get("val_psnr")));
            if (logs.containsKey("val_ssim") && !logs.get("val_ssim").isNaN()) card.metric(new ModelCard.Metric("SSIM", valName, sigma, logs.get("val_ssim")));
        }
    }
}
