package io.hush.cli;

import io.hush.data.DataPaths;
import io.hush.data.Dataset;
import io.hush.image.FloatImage;
import io.hush.data.ImageFolder;
import io.hush.data.Images;
import io.hush.denoise.DenoiseOptions;
import io.hush.denoise.Denoiser;
import io.hush.noise.NoiseModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

@Command(name = "eval",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        headerHeading = "%n",
        header = "Compare a model with the classical filters on a data set.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {"Adds noise to every clean image of the data set (seeded: the same noise on every machine),"
                + " denoises it with the model and with each classical baseline, and prints a table of mean PSNR"
                + " (dB, the mean of per-image values, peak 1 on [0,1] values) and mean SSIM against the clean"
                + " images, with timings. Classical filters get the noise level estimated from each noisy image"
                + " (they are blind, like the model). Denoised values are clipped to [0,1] before scoring. Also writes"
                + " a comparison picture of the first images."},
        optionListHeading = "%nOptions:%n",
        footerHeading = "%nExamples:%n",
        footer = {"  hush eval --model weights/gray-blind.hush --data set12 --noise gaussian:25",
                "  hush eval --model ae.hush --data mnist --noise gaussian:50 --limit 500 --baselines nlm,median",
                "  hush eval --data photos/ --noise gaussian:15+q8 --baselines all   (no --model: classical only)"})
final class EvalCommand extends BaseCommand {
    @Option(names = {"-m", "--model"}, paramLabel = "NAME|FILE",
            description = "Model to evaluate: a .hush/.onnx file or a name in weights/. Without it (and without an"
                    + " installed default model) only the baselines are evaluated.")
    String model;

    @picocli.CommandLine.Mixin
    InputRangeOption inputRangeOption;

    @Override
    InputRangeOption inputRange() { return inputRangeOption; }

    @Option(names = {"-d", "--data"}, required = true, paramLabel = "DIR|IDX",
            description = "Clean images: a folder of images, an IDX file (.gz or not), or a name in the shared data"
                    + " folder: set12, mnist, fashion (their test splits), or any file name there.")
    String data;

    @Option(names = {"-n", "--noise"}, required = true, paramLabel = "SPEC",
            description = "Noise to add, e.g. gaussian:25 or gaussian:25+q8 (see 'hush noise --help').")
    String noise;

    @Option(names = {"-s", "--seed"}, paramLabel = "N", defaultValue = "0", description = "Noise seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
            description = "Use only the first N images (default: all).")
    int limit;

    @Option(names = "--baselines", paramLabel = "LIST", defaultValue = "all", split = ",",
            description = "Classical baselines to run: all, none, or a comma list of " + "nlm, bilateral, median,"
                    + " gaussian (default ${DEFAULT-VALUE}).")
    List<String> baselines;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "hush-eval.png",
            description = "Comparison picture (PNG, replaced if it exists): clean | noisy | each method, for the first"
                    + " --show images. Default: ${DEFAULT-VALUE}; 'none' to skip.")
    String output;

    @Option(names = "--show", paramLabel = "K", defaultValue = "4",
            description = "Images in the comparison picture (default ${DEFAULT-VALUE}).")
    int show;

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

    /** One evaluated method: its denoiser, sums of scores and time. */
    private static final class Row {
        final String label;
        final Denoiser d;
        double psnr, ssim, seconds;
        int n;

        Row(String label, Denoiser d) {
            this.label = label;
            this.d = d;
        }
    }

    @Override
    public Integer call() throws IOException {
        NoiseModel nm;
        try {
            nm = NoiseModel.parse(noise);
        } catch (IllegalArgumentException e) {
            throw new CliException("--noise: " + Main.oneLine(e.getMessage()), Main.EXIT_USAGE);
        }
        if (limit < 0 || show < 0) throw new CliException("--limit and --show must be >= 0", Main.EXIT_USAGE);
        Path picture = output.equalsIgnoreCase("none") ? null : Path.of(output);
        if (picture != null) {
            if (Images.Format.fromFileName(picture.getFileName().toString()) != Images.Format.PNG) {
                throw new CliException(output + ": the comparison picture is a PNG (.png)", Main.EXIT_USAGE);
            }
            Path parent = picture.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) throw new CliException(output + ": folder " + parent + " does not exist");
        }
        List<Denoiser> classic = classical();
        Dataset ds = load();
        int count = limit > 0 ? Math.min(limit, ds.size()) : ds.size();
        info("data: %s, %d image(s)%s; noise %s, seed %d", data, count, ds.uniformSize()
                ? String.format(Locale.ROOT, " of %dx%d", ds.get(0).width(), ds.get(0).height()) : "", nm, seed);

        Denoisers.Opened opened = null;
        if (model != null || ModelFiles.find(ModelFiles.DEFAULT) != null) {
            opened = Denoisers.open(model, null, "auto", threads, this);
        } else {
            info("no --model and no installed default model: evaluating the classical baselines only");
        }
        try {
            List<Row> rows = new ArrayList<>();
            Row noisyRow = new Row("noisy input", null);
            rows.add(noisyRow);
            if (opened != null) rows.add(new Row(opened.denoiser().name() + " (model)", opened.denoiser()));
            for (Denoiser d : classic) rows.add(new Row(d.name() + " (classical)", d));
            Montage montage = new Montage();
            double sigmaSum = 0;
            try (ProgressBar bar = progress("eval", count)) {
                // Chunks of images go through each method together, so a model runs small images as one batch.
                for (int start = 0, n; start < count; start += n) {
                    List<FloatImage> cleans = new ArrayList<>(), noisies = new ArrayList<>();
                    long pixels = 0;
                    for (n = 0; start + n < count && n < CHUNK && pixels < CHUNK_PIXELS; n++) {
                        FloatImage clean = gray ? ds.get(start + n).toGray() : ds.get(start + n);
                        pixels += (long) clean.width() * clean.height();
                        cleans.add(clean);
                    }
                    List<DenoiseOptions> options = new ArrayList<>(n);
                    DenoiseOptions base = resize ? DenoiseOptions.defaults().sizeMismatch(DenoiseOptions.SizeMismatch.RESIZE)
                            : DenoiseOptions.defaults();
                    for (int k = 0; k < n; k++) {
                        FloatImage clean = cleans.get(k);
                        FloatImage noisy = NoiseCommand.addNoise(clean, nm, NoiseModel.imageSeed(seed, start + k));
                        noisies.add(noisy);
                        float sigmaK = Classic.estimateSigma(noisy);
                        options.add(base.sigma(sigmaK));
                        sigmaSum += sigmaK;
                    }
                    List<List<FloatImage>> outs = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        if (r.d == null) {
                            outs.add(noisies);
                            continue;
                        }
                        List<FloatImage> copies = new ArrayList<>(n);
                        for (int k = 0; k < n; k++) {
                            String refusal = r.d.refusal(noisies.get(k), options.get(k));
                            if (refusal != null) throw new CliException(ds.name(start + k) + ": " + refusal);
                            copies.add(noisies.get(k).copy());
                        }
                        long t0 = System.nanoTime();
                        outs.add(r.d.denoiseAll(copies, options));
                        r.seconds += (System.nanoTime() - t0) / 1e9;
                    }
                    for (int k = 0; k < n; k++) {
                        int i = start + k;
                        List<FloatImage> shown = new ArrayList<>(List.of(cleans.get(k), noisies.get(k)));
                        String nm0 = ds.name(i);
                        List<String> labels = new ArrayList<>(List.of(nm0.length() <= 14 ? nm0 : "image " + i, "noisy"));
                        for (int ri = 0; ri < rows.size(); ri++) {
                            Row r = rows.get(ri);
                            FloatImage out = outs.get(ri).get(k);
                            Quality q = Quality.of(cleans.get(k), out);
                            r.psnr += q.psnr();
                            r.ssim += q.ssim();
                            r.n++;
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
            result("");
            result("%-24s %9s %8s %10s %12s", "method", "PSNR dB", "SSIM", "time s", "ms/image");
            for (Row r : rows) {
                result("%-24s %9.2f %8.4f %10s %12s", r.label, r.psnr / r.n, r.ssim / r.n,
                        r.d == null ? "-" : String.format(Locale.ROOT, "%.2f", r.seconds),
                        r.d == null ? "-" : String.format(Locale.ROOT, "%.1f", 1000 * r.seconds / r.n));
            }
            result("");
            result("%d image(s), noise %s%s; classical filters used the estimated sigma (mean %.1f on 0..255)", count,
                    nm, nm.quantizes8() ? " (noisy input clipped and quantised to 8 bits)" : nm.clips()
                            ? " (noisy input clipped to [0,1])" : " (noisy input kept in floating point)",
                    255 * sigmaSum / Math.max(count, 1));
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

    private List<Denoiser> classical() {
        List<String> names = baselines.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
        if (names.equals(List.of("none"))) return List.of();
        if (names.contains("all")) names = Classic.NAMES;
        List<Denoiser> out = new ArrayList<>();
        for (String n : names) out.add(Classic.denoiser(n));
        return out;
    }

    /** The clean data set: a folder, an IDX file, or a name in the shared data folder. */
    private Dataset load() throws IOException {
        Path p = Path.of(data);
        if (!Files.exists(p)) {
            String name = switch (data.toLowerCase(Locale.ROOT)) {
                case "mnist" -> "mnist-test-images-idx3-ubyte.gz";
                case "fashion", "fashion-mnist" -> "fashion-test-images-idx3-ubyte.gz";
                default -> data;
            };
            Path shared = DataPaths.resolve(name);
            if (!Files.exists(shared)) {
                throw new CliException(data + ": no such folder or file (nor " + shared + " in the shared data folder)");
            }
            p = shared;
        }
        Dataset ds = Files.isDirectory(p) ? ImageFolder.load(p, gray, maxPixels) : Dataset.fromIdx(p);
        if (ds.size() == 0) throw new CliException(data + ": no images");
        return ds;
    }
}
