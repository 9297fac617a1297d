package io.hush.cli;

import io.hush.image.FloatImage;
import io.hush.data.ImageFormatException;
import io.hush.data.Images;
import io.hush.denoise.DenoiseOptions;
import io.hush.denoise.Denoiser;
import io.hush.denoise.ModelDenoiser;
import io.hush.engine.kernels.KernelWarmup;
import io.hush.train.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

@Command(name = "denoise",
        header = "Denoise images with a model or a classical filter.",
        description = {
                "Reads PNG, TIFF, BMP, PNM, GIF or JPEG (8- or 16-bit, gray, RGB, with or without alpha; CMYK and "
                        + "YCCK JPEG; progressive JPEG, interlaced PNG) and writes the input's format where it can "
                        + "(JPEG stays JPEG, TIFF stays TIFF, the others become PNG) at the same bit depth. A gray model "
                        + "runs on each colour channel, a colour model on all three; alpha is kept.",
                "Photos come out as they went in: the EXIF orientation is applied (the result is upright, its "
                        + "orientation tag 1); EXIF (camera, date, exposure, GPS) and the ICC profile are copied to "
                        + "the output. Gray and RGB pictures are denoised in their own colour encoding and keep their "
                        + "profile; CMYK/YCCK ones are converted to sRGB with their embedded profile.",
                "Any image size: the model runs on overlapping tiles whose seams are blended, so memory stays "
                        + "bounded (the image in floats plus one strip of tiles).",
                "Each result is written to a temporary file and moved into place; inputs are never modified. A bad "
                        + "input is reported in one line and the others are still processed (exit code 1 at the end)."},
        footer = {"  hush denoise noisy.png -o clean.png",
                "  hush denoise shots/ -o out/ --model weights/gray-blind.hush --threads 2",
                "  hush denoise 'scans/*.tif' -o out/ --model classic:nlm --sigma auto",
                "  hush denoise IMG_0042.jpg -o out/ --quality 92     (an upright JPEG with the photo's EXIF)"})
final class DenoiseCommand extends BaseCommand {
    @Parameters(arity = "1..*", paramLabel = "IN",
            description = "Input images: files, folders (their image files) or quoted globs like 'dir/*.png'.")
    List<String> inputs;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
            description = "Output file (.png, .jpg, .tif) for one input, or an existing folder for several.")
    Path output;

    @Option(names = {"-m", "--model"}, paramLabel = "NAME|FILE",
            description = "Model: a .hush, .onnx, .keras or .h5 file, a name in weights/ (color-real for camera photos), 'auto'"
                    + " (the default: gray-blind for gray images; for RGB ones color-real where the image reads a"
                    + " white-noise sigma under 10, as camera photos do, and color-blind, or gray-blind per channel, above),"
                    + " or a classical"
                    + " filter: ${COMPLETION-CANDIDATES}... written classic:NAME. If the default model is not installed,"
                    + " the best classical filter is used and the output says so.",
            completionCandidates = Classic.Names.class)
    String model;

    @picocli.CommandLine.Mixin
    InputRangeOption inputRangeOption;

    @Override
    InputRangeOption inputRange() { return inputRangeOption; }

    @Option(names = "--sigma", paramLabel = "S|auto", defaultValue = "auto",
            description = "Noise standard deviation on the 0..255 scale (also for 16-bit images), or 'auto' to"
                    + " estimate it from each image and report it. Used by classical filters and by models with a"
                    + " noise-level input; blind models ignore it. Default: ${DEFAULT-VALUE}.")
    String sigma;

    @Option(names = "--tile", paramLabel = "N",
            description = "Tile side in pixels for fully-convolutional models (default " + ModelDenoiser.DEFAULT_TILE
                    + ", or up to 1024 so that the overlap covers a wide receptive field). Larger tiles are a little"
                    + " faster and need more memory; images up to this size run in one piece.")
    Integer tile;

    @Option(names = "--overlap", paramLabel = "M|auto", defaultValue = "auto",
            description = "Overlap between tiles in pixels, or 'auto': 4x the model's receptive-field radius (measured),"
                    + " which makes the tiled result equal the untiled one. Default: ${DEFAULT-VALUE}.")
    String overlap;

    @Option(names = "--threads", paramLabel = "T",
            description = "Threads for the model (default: all cores).")
    Integer threads;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "" + Images.DEFAULT_MAX_PIXELS,
            description = "Refuse images whose header claims more than N pixels, before decoding (default"
                    + " ${DEFAULT-VALUE}).")
    long maxPixels;

    @Option(names = "--resize",
            description = "Let a fixed-size model (one with a Dense layer) take an image of another size by scaling it"
                    + " to the model's size and back. Without it such images are refused.")
    boolean resize;

    @Option(names = "--format", paramLabel = "png|jpeg|tiff",
            description = "Output format (default: the input's: JPEG for JPEG, TIFF for TIFF, PNG for the others; with"
                    + " -o naming a file, its extension). JPEG is 8-bit and has no alpha: an image with alpha is"
                    + " refused, 16 bits become 8.")
    String format;

    @Option(names = "--quality", paramLabel = "Q", defaultValue = "" + Images.DEFAULT_JPEG_QUALITY,
            description = "JPEG quality 1..100 for JPEG output (IJG scale, no chroma subsampling). Default:"
                    + " ${DEFAULT-VALUE}.")
    int quality;

    @Option(names = "--overwrite", description = "Replace output files that already exist (default: refuse).")
    boolean overwrite;

    @Override
    public Integer call() {
        if (maxPixels < 1) throw new CliException("--max-pixels must be >= 1", Main.EXIT_USAGE);
        if (tile != null && tile < 8) throw new CliException("--tile must be >= 8", Main.EXIT_USAGE);
        if (threads != null && threads < 1) throw new CliException("--threads must be >= 1", Main.EXIT_USAGE);
        if (quality < 1 || quality > 100) throw new CliException("--quality must be 1..100", Main.EXIT_USAGE);
        Float fixedSigma = Sigma.parse(sigma);
        InputFiles.Expanded ex = InputFiles.expand(inputs);
        List<Outputs.Job> jobs = Outputs.plan(ex.files(), ex.many(), output, Outputs.format(format), overwrite);
        List<String> failures = new ArrayList<>();
        for (Outputs.Job j : jobs) if (j.problem() != null) failures.add(j.in() + ": " + j.problem());
        boolean anyToDo = jobs.stream().anyMatch(j -> j.problem() == null);

        // JIT warm-up of the kernels on a spare core while the model loads and the first image decodes
        KernelWarmup warmup = anyToDo && !classic() && WARMUP ? KernelWarmup.start(WARMUP_MILLIS) : null;
        Denoisers.Opened den;
        try {
            den = anyToDo ? Denoisers.open(model, tile, overlap, threads, this) : null;
        } catch (RuntimeException e) {
            if (warmup != null) warmup.close();
            throw e;
        }
        this.warmup = warmup;
        // Several images: the next one is decoded, and the previous one encoded and written, on an I/O thread while
        // the model runs (one thread, so reads and writes keep their order; at most three images in memory).
        ExecutorService io = jobs.size() > 1 ? Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hush-io");
            t.setDaemon(true);
            return t;
        }) : null;
        try {
            int ok = 0;
            List<Integer> todo = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++) if (jobs.get(i).problem() == null) todo.add(i);
            List<Future<?>> writes = new ArrayList<>();
            List<Outputs.Job> written = new ArrayList<>();
            Future<Images.Photo> next = todo.isEmpty() ? null : read(io, jobs.get(todo.get(0)));
            for (int k = 0; k < todo.size(); k++) {
                int index = todo.get(k) + 1;
                Outputs.Job j = jobs.get(todo.get(k));
                Future<Images.Photo> photo = next;
                next = k + 1 < todo.size() ? read(io, jobs.get(todo.get(k + 1))) : null;
                try {
                    Future<?> w = one(j, photo, io, den.denoiser(), fixedSigma,
                            jobs.size() > 1 ? "[" + index + "/" + jobs.size() + "] " : "");
                    writes.add(w);
                    written.add(j);
                } catch (ExecutionException e) {
                    failures.add(failure(j, e.getCause()));
                } catch (ImageFormatException | RuntimeException | OutOfMemoryError e) {
                    failures.add(failure(j, e));
                }
            }
            for (int k = 0; k < writes.size(); k++) {
                try {
                    writes.get(k).get();
                    ok++;
                } catch (ExecutionException e) {
                    failures.add(failure(written.get(k), e.getCause()));
                }
            }
            for (String f : failures) err().println("hush denoise: " + f);
            if (jobs.size() > 1) {
                info("%d of %d image(s) denoised%s", ok, jobs.size(), failures.isEmpty() ? "" : ", " + failures.size()
                        + " failed");
            }
            err().flush();
            return failures.isEmpty() ? Main.EXIT_OK : Main.EXIT_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        } finally {
            if (io != null) io.shutdownNow();
            if (warmup != null) warmup.close();
            if (den != null) den.close();
        }
    }

    /** The one-line report of a job that failed with {@code e}. */
    private String failure(Outputs.Job j, Throwable e) {
        if (e instanceof ImageFormatException) return Main.oneLine(e.getMessage());
        if (e instanceof CliException || e instanceof IllegalArgumentException) return j.in() + ": " + Main.oneLine(e.getMessage());
        if (Main.debug()) e.printStackTrace(err()); // a bug or no memory: still do the others
        return j.in() + ": " + Main.message(e);
    }

    /** Decodes a job's input: on {@code io} when there is one (ahead of its turn), else right away. */
    private Future<Images.Photo> read(ExecutorService io, Outputs.Job j) {
        Callable<Images.Photo> task = () -> Images.readPhoto(j.in(), maxPixels);
        if (io != null) return io.submit(task);
        FutureTask<Images.Photo> f = new FutureTask<>(task);
        f.run();
        return f;
    }

    /**
     * Whether to warm the kernels up on a spare core while the model loads ({@code -Dhush.warmup=true}). Off by
     * default: measured end to end it cost 7-12% more wall time (its tiny tensors give C2 profiles the real pass then
     * deoptimizes on), see bench/README.md "End to end".
     */
    static final boolean WARMUP = Boolean.parseBoolean(System.getProperty("hush.warmup", "false"));
    /** Longest kernel warm-up; it ends as soon as its kernels run compiled, typically within a second or two. */
    static final long WARMUP_MILLIS = 6000;
    /** Longest wait for the warm-up once the first image is ready to run. */
    static final long WARMUP_WAIT_MILLIS = 2000;
    /** The running warm-up, stopped before the first model pass (null when none runs). */
    private KernelWarmup warmup;

    /** Whether --model names a classical filter (no kernels to warm up). */
    private boolean classic() {
        return model != null && model.toLowerCase(java.util.Locale.ROOT).startsWith("classic:");
    }

    /**
     * Denoises one image (decoded by {@code pending}) and writes it: on {@code io} when there is one (the returned
     * future ends when the file is written), else right away.
     */
    private Future<?> one(Outputs.Job j, Future<Images.Photo> pending, ExecutorService io, Denoiser router, Float fixedSigma,
                          String counter) throws ImageFormatException, ExecutionException, InterruptedException {
        long t0 = System.nanoTime();
        Images.Photo photo = pending.get();
        FloatImage img = photo.image();
        DenoiseOptions options = resize ? DenoiseOptions.defaults().sizeMismatch(DenoiseOptions.SizeMismatch.RESIZE)
                : DenoiseOptions.defaults();
        // The model that runs, chosen once on the noisy input (a router's choice costs a noise estimate, and the
        // denoised image may reuse the input's planes, so asking again afterwards could name another model).
        Denoiser d = router.forImage(img);
        String refusal = d.refusal(img, options);
        if (refusal != null) throw new CliException(refusal);
        String sigmaNote = "";
        float s01 = 0f;
        if (fixedSigma != null) {
            s01 = fixedSigma / 255f;
        } else if (d.usesSigma() || sigma != null && sigma.equalsIgnoreCase("auto") && spec.commandLine()
                .getParseResult().hasMatchedOption("--sigma")) {
            s01 = Classic.estimateSigma(img);
            sigmaNote = String.format(java.util.Locale.ROOT, ", estimated sigma %.1f", s01 * 255f);
        }
        Images.Format f = Images.Format.fromFileName(j.out().getFileName().toString());
        if (f == null) f = Images.Format.PNG;
        int depth = f == Images.Format.JPEG ? 8 : img.bitDepth();
        FloatImage out;
        if (warmup != null) {
            // A few tenths of a second spent waiting for the compiled kernels save seconds of a first pass in the
            // interpreter; then the warm-up stops, as the real pass needs every core.
            warmup.awaitReady(WARMUP_WAIT_MILLIS);
            warmup = null;
        }
        try (ProgressBar bar = progress(counter + j.in().getFileName(), 1)) {
            out = d.denoise(img, options.sigma(s01).progress((done, total) -> {
                bar.total(total);
                bar.update(done);
            }));
        }
        Images.Format format = f;
        FloatImage result = out;
        String sigmaNoted = sigmaNote;
        Callable<Void> write = () -> {
            Images.write(j.out(), result, format, depth, photo.metadata(), quality);
            String notes = (photo.metadata().orientation().tag() != 1 ? ", turned upright from EXIF orientation "
                    + photo.metadata().orientation().tag() : "") + (photo.metadata().conversion() != null ? ", "
                    + photo.metadata().conversion() : "");
            info("%s -> %s (%dx%d %s %d-bit, %s%s%s, %.1f s)", j.in(), j.out(), img.width(), img.height(),
                    (img.channels() == 1 ? "gray" : "RGB") + (img.hasAlpha() ? "+alpha" : ""), depth, d.name(), sigmaNoted,
                    notes, (System.nanoTime() - t0) / 1e9);
            return null;
        };
        if (io != null) return io.submit(write);
        FutureTask<Void> done = new FutureTask<>(write);
        done.run();
        return done;
    }
}
