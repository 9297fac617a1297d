package io.hush.cli;

import io.hush.data.DataPaths;
import io.hush.data.Dataset;
import io.hush.image.FloatImage;
import io.hush.data.ImageFolder;
import io.hush.data.Images;
import io.hush.data.PairedFolder;
import io.hush.denoise.DenoiseOptions;
import io.hush.denoise.Denoiser;
import io.hush.denoise.ModelDenoiser;
import io.hush.denoise.RoutingDenoiser;
import io.hush.noise.NoiseModel;
import io.hush.train.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;

@Command(name = "eval",
        header = "Compare a model with the classical filters on a data set.",
        description = {"Adds noise to every clean image of the data set (seeded: the same noise on every machine), or"
                + " takes real noisy/clean pairs, denoises the noisy images with the model and with each classical"
                + " baseline, and prints a table of mean PSNR (dB, the mean of per-image values over all colour"
                + " channels, peak 1 on [0,1] values) and mean SSIM (per channel, averaged) against the clean"
                + " images, with timings. Classical filters get the noise level estimated from each noisy image"
                + " (they are blind, like the model). Denoised values are clipped to [0,1] before scoring. Also writes"
                + " a comparison picture of the first images.",
                "",
                "Paired data (real noise; no --noise): a folder of NAME_real.EXT (noisy) and NAME_mean.EXT (clean)"
                + " files, as the PolyU set polyu100; a folder with noisy/ and clean/ sub-folders; or --noisy DIR"
                + " --clean DIR. Files pair by name without extension; any file without a partner is an error.",
                "",
                "A gray model on colour images runs on each channel (its row says 'per channel'). On colour data"
                + " 'all' baselines include cnlm, colour non-local means (one set of weights for the three channels).",
                "",
                "When every image name reads as camera_x_y_ISO_... (PolyU style, e.g. Canon5D2_5_160_3200_chair_11:"
                + " ISO 3200), the summary adds each method's mean PSNR over the lowest-ISO quarter (the ceil(n/4)"
                + " images of lowest ISO, ties by name)."},
        footer = {"  hush eval --model weights/gray-blind.hush --data set12 --noise gaussian:25",
                "  hush eval --model ae.hush --data mnist --noise gaussian:50 --limit 500 --baselines nlm,median",
                "  hush eval --data photos/ --noise gaussian:15+q8 --baselines all   (no --model: classical only)",
                "  hush eval --data polyu100 --model color-real --csv polyu.csv",
                "  hush eval --noisy shots/noisy --clean shots/clean --baselines cnlm"})
final class EvalCommand extends BaseCommand {
    @Option(names = {"-m", "--model"}, paramLabel = "NAME|FILE",
            description = "Model to evaluate: a file (.hush, .onnx, or Keras .keras/.h5) or a name in weights/."
                    + " Without it (and without an installed default model) only the baselines are evaluated.")
    String model;

    @picocli.CommandLine.Mixin
    InputRangeOption inputRangeOption;

    @Override
    InputRangeOption inputRange() { return inputRangeOption; }

    @Option(names = {"-d", "--data"}, paramLabel = "DIR|IDX",
            description = "Images: a folder of clean images, an IDX file (.gz or not), a folder of noisy/clean pairs"
                    + " (see above), or a name in the shared data folder: set12, mnist, fashion (their test splits),"
                    + " polyu100, or any file or folder name there.")
    String data;

    @Option(names = "--noisy", paramLabel = "DIR", description = "Real noisy images, paired by name with --clean (instead of --data).")
    Path noisyDir;

    @Option(names = "--clean", paramLabel = "DIR", description = "Clean references of the --noisy images.")
    Path cleanDir;

    @Option(names = {"-n", "--noise"}, paramLabel = "SPEC",
            description = "Noise to add to clean data, e.g. gaussian:25 or gaussian:25+q8 (see 'hush noise --help');"
                    + " required for clean data, refused for paired data (it holds its own noise).")
    String noise;

    @Option(names = {"-s", "--seed"}, paramLabel = "N", defaultValue = "0", description = "Noise seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
            description = "Use only the first N images or pairs (default: all).")
    int limit;

    @Option(names = "--baselines", paramLabel = "LIST", defaultValue = "all", split = ",",
            description = "Classical baselines to run: all, none, or a comma list of nlm, bilateral, median,"
                    + " gaussian, cnlm (default ${DEFAULT-VALUE}; all includes cnlm on colour data only).")
    List<String> baselines;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "hush-eval.png",
            description = "Comparison picture (PNG, replaced if it exists): clean | noisy | each method, for the first"
                    + " --show images. Default: ${DEFAULT-VALUE}; 'none' to skip.")
    String output;

    @Option(names = "--show", paramLabel = "K", defaultValue = "4",
            description = "Images in the comparison picture (default ${DEFAULT-VALUE}).")
    int show;

    @Option(names = "--csv", paramLabel = "FILE",
            description = "Also write every score (replaced if it exists): one row per image and method, columns"
                    + " name,method,psnr,ssim (method 'noisy' is the noisy input).")
    Path csv;

    @Option(names = "--gray", description = "Convert colour images to gray (BT.601 luma) before evaluating.")
    boolean gray;

    @Option(names = "--threads", paramLabel = "T", description = "Threads for the model (default: all cores).")
    Integer threads;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "" + Images.DEFAULT_MAX_PIXELS,
            description = "Refuse images larger than N pixels (default ${DEFAULT-VALUE}).")
    long maxPixels;

    @Option(names = "--resize", description = "Let a fixed-size model take images of another size (scaled to its"
            + " size and back); without it they are refused.")
    boolean resize;

    /** Images handed to each method at once (a model batches them; classical filters run them one by one). */
    static final int CHUNK = 256;
    /** ... but at most about this many pixels, so a folder of large photos is not all held at once. */
    static final long CHUNK_PIXELS = 1 << 20;

    /** One evaluated method: its denoiser and label, per-image scores and time. */
    private static final class Row {
        final String label;
        final Denoiser d;
        final double[] psnr, ssim;
        double seconds;
        /** For a denoiser that chooses per image (auto): what ran, on how many images. */
        final Map<String, Integer> ran = new LinkedHashMap<>();

        Row(String label, Denoiser d, int count) {
            this.label = label;
            this.d = d;
            this.psnr = new double[count];
            this.ssim = new double[count];
        }

        /** The method's name in the CSV file. */
        String method() { return d == null ? "noisy" : d.name(); }
    }

    @Override
    public Integer call() throws IOException {
        if (limit < 0 || show < 0) throw new CliException("--limit and --show must be >= 0", Main.EXIT_USAGE);
        Path picture = output.equalsIgnoreCase("none") ? null : Path.of(output);
        if (picture != null) {
            if (Images.Format.fromFileName(picture.getFileName().toString()) != Images.Format.PNG) {
                throw new CliException(output + ": the comparison picture is a PNG (.png)", Main.EXIT_USAGE);
            }
            checkFolder(picture);
        }
        if (csv != null) checkFolder(csv);
        List<String> classicNames = baselineNames();
        EvalSamples samples = load();
        int count = limit > 0 ? Math.min(limit, samples.size()) : samples.size();
        boolean paired = samples instanceof EvalSamples.Paired;
        int channels = samples.channels();
        // cnlm comes with 'all' on colour data only (on gray images it is nlm again); named, it always runs
        boolean all = baselines.stream().anyMatch(b -> b.trim().equalsIgnoreCase("all"));
        List<Denoiser> classic = new ArrayList<>();
        for (String n : classicNames) {
            if (channels > 1 || !all || !Classic.COLOR_NAMES.contains(n)) classic.add(Classic.denoiser(n));
        }
        if (paired) {
            info("data: %s, %d noisy/clean pair(s) (real noise)", source(), count);
        } else {
            Dataset ds = ((EvalSamples.Synthetic) samples).data();
            info("data: %s, %d image(s)%s; noise %s, seed %d", data, count, ds.uniformSize()
                    ? String.format(Locale.ROOT, " of %dx%d", ds.get(0).width(), ds.get(0).height()) : "",
                    ((EvalSamples.Synthetic) samples).noise(), seed);
        }

        Denoisers.Opened opened = null;
        if (model != null || ModelFiles.find(ModelFiles.DEFAULT) != null) {
            opened = Denoisers.open(model, null, "auto", threads, this);
        } else {
            info("no --model and no installed default model: evaluating the classical baselines only");
        }
        try {
            List<Row> rows = new ArrayList<>();
            rows.add(new Row("noisy input", null, count));
            if (opened != null) rows.add(new Row(modelLabel(opened.denoiser(), channels), opened.denoiser(), count));
            for (Denoiser d : classic) {
                boolean perPlane = d instanceof Classic.Filter && channels > 1;
                rows.add(new Row(d.name() + (perPlane ? " (classical, per channel)" : " (classical)"), d, count));
            }
            Montage montage = new Montage();
            double sigmaSum = 0;
            try (ProgressBar bar = progress("eval", count)) {
                // Chunks of images go through each method together, so a model runs small images as one batch.
                for (int start = 0, n; start < count; start += n) {
                    List<FloatImage> cleans = new ArrayList<>(), noisies = new ArrayList<>();
                    long pixels = 0;
                    for (n = 0; start + n < count && n < CHUNK && pixels < CHUNK_PIXELS; n++) {
                        EvalSamples.Sample sample = samples.get(start + n);
                        pixels += (long) sample.clean().width() * sample.clean().height();
                        cleans.add(sample.clean());
                        noisies.add(sample.noisy());
                    }
                    List<DenoiseOptions> options = new ArrayList<>(n);
                    DenoiseOptions base = resize ? DenoiseOptions.defaults().sizeMismatch(DenoiseOptions.SizeMismatch.RESIZE)
                            : DenoiseOptions.defaults();
                    for (int k = 0; k < n; k++) {
                        float sigmaK = Classic.estimateSigma(noisies.get(k));
                        options.add(base.sigma(sigmaK));
                        sigmaSum += sigmaK;
                    }
                    List<List<FloatImage>> outs = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        if (r.d == null) {
                            outs.add(noisies);
                            continue;
                        }
                        // A router (auto) chooses once per image, on the noisy input; the choice is part of its time.
                        long t0 = System.nanoTime();
                        List<FloatImage> copies = new ArrayList<>(n);
                        List<Denoiser> chosen = new ArrayList<>(n);
                        for (int k = 0; k < n; k++) {
                            Denoiser actual = r.d.forImage(noisies.get(k));
                            String refusal = actual.refusal(noisies.get(k), options.get(k));
                            if (refusal != null) throw new CliException(samples.name(start + k) + ": " + refusal);
                            chosen.add(actual);
                            copies.add(noisies.get(k).copy());
                        }
                        outs.add(RoutingDenoiser.denoiseEach(chosen, copies, options));
                        r.seconds += (System.nanoTime() - t0) / 1e9;
                        if (r.d instanceof RoutingDenoiser) {
                            for (int k = 0; k < n; k++) r.ran.merge(Denoisers.ranLabel(chosen.get(k), noisies.get(k).channels()), 1, Integer::sum);
                        }
                    }
                    for (int k = 0; k < n; k++) {
                        int i = start + k;
                        List<FloatImage> shown = new ArrayList<>(List.of(cleans.get(k), noisies.get(k)));
                        String nm0 = samples.name(i);
                        List<String> labels = new ArrayList<>(List.of(nm0.length() <= 14 ? nm0 : "image " + i, "noisy"));
                        for (int ri = 0; ri < rows.size(); ri++) {
                            Row r = rows.get(ri);
                            FloatImage out = outs.get(ri).get(k);
                            Quality q = Quality.of(cleans.get(k), out);
                            r.psnr[i] = q.psnr();
                            r.ssim[i] = q.ssim();
                            if (r.d != null) {
                                shown.add(out);
                                labels.add(String.format(Locale.ROOT, "%s %.2f", r.d.name(), q.psnr()));
                            }
                        }
                        if (i < show) montage.row(shown, labels);
                        bar.update(i + 1);
                    }
                }
            }
            int width = Math.max(24, rows.stream().mapToInt(r -> r.label.length()).max().orElse(0));
            result("");
            result("%-" + width + "s %9s %8s %10s %12s", "method", "PSNR dB", "SSIM", "time s", "ms/image");
            for (Row r : rows) {
                result("%-" + width + "s %9.2f %8.4f %10s %12s", r.label, mean(r.psnr), mean(r.ssim),
                        r.d == null ? "-" : String.format(Locale.ROOT, "%.2f", r.seconds),
                        r.d == null ? "-" : String.format(Locale.ROOT, "%.1f", 1000 * r.seconds / count));
            }
            for (Row r : rows) {
                if (r.ran.isEmpty()) continue;
                List<String> parts = new ArrayList<>();
                r.ran.forEach((name, c) -> parts.add(name + " on " + c));
                result("auto ran %s", String.join(", ", parts));
            }
            result("");
            String what = paired ? "real noisy/clean pair(s)" : "image(s), noise " + describe(((EvalSamples.Synthetic) samples).noise());
            result("%d %s; classical filters used the estimated sigma (mean %.1f on 0..255)", count, what,
                    255 * sigmaSum / Math.max(count, 1));
            List<String> names = new ArrayList<>(count);
            for (int i = 0; i < count; i++) names.add(samples.name(i));
            int[] quarter = lowestIsoQuarter(names);
            if (quarter != null) {
                result("lowest-ISO quarter: %d of %d image(s), ISO %d-%d; mean PSNR dB:", quarter.length, count,
                        iso(names.get(quarter[0])), iso(names.get(quarter[quarter.length - 1])));
                for (Row r : rows) {
                    double sum = 0;
                    for (int i : quarter) sum += r.psnr[i];
                    result("  %-" + width + "s %9.2f", r.label, sum / quarter.length);
                }
            }
            if (csv != null) {
                writeCsv(csv, names, rows);
                result("wrote %s (%d rows: name,method,psnr,ssim)", csv, count * rows.size());
            }
            if (picture != null && show > 0) {
                Images.write(picture, montage.render(), Images.Format.PNG, 8);
                result("wrote %s (clean | noisy | %s)", picture, String.join(" | ",
                        rows.stream().filter(r -> r.d != null).map(r -> r.d.name()).toList()));
            }
        } finally {
            if (opened != null) opened.close();
        }
        return Main.EXIT_OK;
    }

    private static String describe(NoiseModel nm) {
        return nm + (nm.quantizes8() ? " (noisy input clipped and quantised to 8 bits)" : nm.clips()
                ? " (noisy input clipped to [0,1])" : " (noisy input kept in floating point)");
    }

    /**
     * The model's row label; a gray model on colour images runs on each channel, and says so. A denoiser that chooses
     * per image says that instead (the lines under the table tell what ran).
     */
    static String modelLabel(Denoiser d, int channels) {
        if (d instanceof RoutingDenoiser) return "auto (models chosen per image)";
        boolean perChannel = channels > 1 && d instanceof ModelDenoiser md && md.channels() == 1;
        return d.name() + (perChannel ? " (model, per channel)" : " (model)");
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    private static void checkFolder(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new CliException(file + ": folder " + parent + " does not exist");
    }

    /** The --baselines names, checked (usage errors before any data is read); {@code all} includes the colour ones. */
    private List<String> baselineNames() {
        List<String> names = baselines.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
        if (names.equals(List.of("none"))) return List.of();
        if (names.contains("all")) {
            names = new ArrayList<>(Classic.NAMES);
            names.addAll(Classic.COLOR_NAMES);
        }
        for (String n : names) Classic.denoiser(n);
        return names;
    }

    /** Where the samples come from, for the first info line. */
    private String source() {
        return data != null ? data : noisyDir + " + " + cleanDir;
    }

    /**
     * The samples: pairs from --noisy/--clean or a paired --data folder, else clean images from --data with --noise.
     * --noise with paired data, or its absence with clean data, is a usage error.
     */
    private EvalSamples load() throws IOException {
        if ((noisyDir == null) != (cleanDir == null)) {
            throw new CliException("--noisy and --clean go together (noisy images and their clean references)", Main.EXIT_USAGE);
        }
        if (noisyDir != null && data != null) {
            throw new CliException("give either --data or --noisy/--clean, not both", Main.EXIT_USAGE);
        }
        if (noisyDir == null && data == null) {
            throw new CliException("missing --data (or --noisy DIR --clean DIR)", Main.EXIT_USAGE);
        }
        List<PairedFolder.Pair> pairs;
        Path p = null;
        if (noisyDir != null) {
            pairs = PairedFolder.matched(noisyDir, cleanDir);
        } else {
            p = resolve();
            pairs = Files.isDirectory(p) ? PairedFolder.detect(p).orElse(null) : null;
        }
        if (pairs != null) {
            if (noise != null) {
                throw new CliException("--noise: " + source() + " holds real noisy/clean pairs; --noise adds synthetic noise"
                        + " to clean images only: leave it out", Main.EXIT_USAGE);
            }
            int count = limit > 0 ? Math.min(limit, pairs.size()) : pairs.size();
            PairedFolder.checkSizes(pairs.subList(0, count));
            return new EvalSamples.Paired(pairs, gray, maxPixels);
        }
        if (noise == null) {
            throw new CliException("--noise is required: " + data + " holds clean images only (noisy/clean pairs are"
                    + " NAME_real/NAME_mean files or noisy/ and clean/ sub-folders)", Main.EXIT_USAGE);
        }
        NoiseModel nm;
        try {
            nm = NoiseModel.parse(noise);
        } catch (IllegalArgumentException e) {
            throw new CliException("--noise: " + Main.oneLine(e.getMessage()), Main.EXIT_USAGE);
        }
        Dataset ds = Files.isDirectory(p) ? ImageFolder.load(p, gray, maxPixels) : Dataset.fromIdx(p);
        if (ds.size() == 0) throw new CliException(data + ": no images");
        return new EvalSamples.Synthetic(ds, nm, seed, gray);
    }

    /** --data as a path, or a name in the shared data folder. */
    private Path resolve() {
        Path p = Path.of(data);
        if (Files.exists(p)) return p;
        String name = switch (data.toLowerCase(Locale.ROOT)) {
            case "mnist" -> "mnist-test-images-idx3-ubyte.gz";
            case "fashion", "fashion-mnist" -> "fashion-test-images-idx3-ubyte.gz";
            default -> data;
        };
        Path shared = DataPaths.resolve(name);
        if (!Files.exists(shared)) {
            throw new CliException(data + ": no such folder or file (nor " + shared + " in the shared data folder)");
        }
        return shared;
    }

    /**
     * The ISO of a PolyU-style name {@code camera_x_y_ISO_scene...} (extension ignored), e.g. 3200 for
     * {@code Canon5D2_5_160_3200_chair_11}; -1 if the name is not of that form.
     */
    static int iso(String name) {
        int dot = name.lastIndexOf('.');
        String[] f = (dot > 0 ? name.substring(0, dot) : name).split("_", -1);
        if (f.length < 5 || f[3].isEmpty() || f[3].length() > 7 || !f[3].chars().allMatch(ch -> ch >= '0' && ch <= '9')) return -1;
        return Integer.parseInt(f[3]);
    }

    /**
     * Indices of the ceil(n/4) names of lowest {@link #iso ISO} (ties broken by name), sorted by ISO then name; null
     * unless every name has an ISO.
     */
    static int[] lowestIsoQuarter(List<String> names) {
        if (names.isEmpty() || names.stream().anyMatch(n -> iso(n) < 0)) return null;
        return java.util.stream.IntStream.range(0, names.size()).boxed()
                .sorted(java.util.Comparator.<Integer>comparingInt(i -> iso(names.get(i))).thenComparing(names::get))
                .limit((names.size() + 3) / 4).mapToInt(Integer::intValue).toArray();
    }

    /** One row per image and method: name,method,psnr,ssim (names quoted when they hold a comma or quote). */
    private static void writeCsv(Path file, List<String> names, List<Row> rows) throws IOException {
        StringBuilder sb = new StringBuilder("name,method,psnr,ssim\n");
        for (int i = 0; i < names.size(); i++) {
            for (Row r : rows) {
                sb.append(csvField(names.get(i))).append(',').append(csvField(r.method())).append(',')
                        .append(String.format(Locale.ROOT, "%.4f,%.6f", r.psnr[i], r.ssim[i])).append('\n');
            }
        }
        Files.writeString(file, sb.toString());
    }

    static String csvField(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
