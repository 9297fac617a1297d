package io.hush.cli;

import io.hush.image.FloatImage;
import io.hush.data.ImageFormatException;
import io.hush.data.Images;
import io.hush.denoise.DenoiseOptions;
import io.hush.denoise.Denoiser;
import io.hush.denoise.RoutingDenoiser;
import io.hush.noise.NoiseModel;
import io.hush.train.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

@Command(name = "demo",
        header = "See Hush work in a few seconds, with nothing to prepare.",
        description = {"Takes the sample images bundled with Hush (drawn procedurally: shapes, text, textures, colour),"
                + " adds Gaussian noise (clipped and quantised to 8 bits, like a real noisy PNG), denoises them with the"
                + " shipped default model, prints PSNR and SSIM of the noisy and the denoised images against the"
                + " clean ones, and writes a before/after picture.",
                "The default is what hush denoise runs without --model: weights/gray-blind.hush on the gray samples, and"
                        + " on the colour one the colour model for its noise level (weights/color-blind.hush at the"
                        + " default sigma). --model names another. While no trained model is installed, the demo uses"
                        + " the best classical filter (non-local means with the noise level estimated from each image)"
                        + " and says so."},
        footer = {"  hush demo", "  hush demo --sigma 50 -o /tmp/demo.png", "  hush demo --model classic:bilateral"})
final class DemoCommand extends BaseCommand {
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "hush-demo.png",
            description = "Before/after picture to write (PNG; replaced if it exists). Default: ${DEFAULT-VALUE}.")
    Path output;

    @Option(names = "--sigma", paramLabel = "S", defaultValue = "25",
            description = "Gaussian noise level on the 0..255 scale (default ${DEFAULT-VALUE}).")
    float sigma;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Noise seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-m", "--model"}, paramLabel = "NAME|FILE",
            description = "Model to show instead of the default (a file, a name in weights/, or classic:NAME).")
    String model;

    @Option(names = "--threads", paramLabel = "T", description = "Threads for the model (default: all cores).")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        if (!(sigma >= 0 && sigma <= 255)) throw new CliException("--sigma must be between 0 and 255", Main.EXIT_USAGE);
        if (Images.Format.fromFileName(output.getFileName().toString()) != Images.Format.PNG) {
            throw new CliException(output + ": the demo picture is a PNG (.png)", Main.EXIT_USAGE);
        }
        Path parent = output.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new CliException(output + ": folder " + parent + " does not exist");
        NoiseModel noise = NoiseModel.parse(String.format(Locale.ROOT, "gaussian:%s+q8", sigma));
        long t0 = System.nanoTime();
        try (Denoisers.Opened opened = Denoisers.open(model, null, "auto", threads, this)) {
            Denoiser d = opened.denoiser();
            boolean routed = d instanceof RoutingDenoiser; // auto: the model is chosen per sample, and named per row
            String column = routed ? "auto" : d.name();
            info("noise: Gaussian sigma %s on 0..255, clipped and quantised to 8 bits, seed %d", fmt(sigma), seed);
            info("");
            info("%-12s %-13s %8s %7s   %8s %7s %8s", "image", "size", "noisy", "", column, "", "time");
            info("%-12s %-13s %8s %7s   %8s %7s %8s", "", "", "PSNR dB", "SSIM", "PSNR dB", "SSIM", "s");
            Montage montage = new Montage();
            double sumNoisy = 0, sumDen = 0;
            int i = 0;
            for (String name : DemoSamples.NAMES) {
                FloatImage clean = sample(name);
                FloatImage noisy = NoiseCommand.addNoise(clean, noise, NoiseModel.imageSeed(seed, i++));
                float s = d.usesSigma() ? Classic.estimateSigma(noisy) : sigma / 255f;
                long t1 = System.nanoTime();
                Denoiser actual = d.forImage(noisy); // chosen once, on the noisy input
                String ran = Denoisers.ranLabel(actual, noisy.channels());
                FloatImage den;
                try (ProgressBar bar = progress(name, 1)) {
                    den = actual.denoise(noisy.copy(), DenoiseOptions.defaults().sigma(s).progress((done, total) -> {
                        bar.total(total);
                        bar.update(done);
                    }));
                }
                double secs = (System.nanoTime() - t1) / 1e9;
                Quality qn = Quality.of(clean, noisy), qd = Quality.of(clean, den);
                sumNoisy += qn.psnr();
                sumDen += qd.psnr();
                result("%-12s %-13s %8.2f %7.4f   %8.2f %7.4f %8.2f%s", name, clean.width() + "x" + clean.height()
                        + (clean.channels() == 1 ? " gray" : " RGB"), qn.psnr(), qn.ssim(), qd.psnr(), qd.ssim(), secs,
                        (routed ? "  " + ran : "") + (d.usesSigma() ? String.format(Locale.ROOT, "  (estimated sigma %.1f)", s * 255) : ""));
                montage.row(List.of(clean, noisy, den), List.of(name + " clean",
                        String.format(Locale.ROOT, "noisy %.2f dB", qn.psnr()),
                        String.format(Locale.ROOT, "%s %.2f dB", ran, qd.psnr())));
            }
            int n = DemoSamples.NAMES.length;
            result("mean PSNR: noisy %.2f dB -> %s %.2f dB (%+.2f dB)", sumNoisy / n, column, sumDen / n,
                    (sumDen - sumNoisy) / n);
            Images.write(output, montage.render(), Images.Format.PNG, 8);
            result("wrote %s (clean | noisy | denoised) in %.1f s", output, (System.nanoTime() - t0) / 1e9);
            if (opened.model() == null && model == null) {
                result("note: no trained model is installed yet, so this used the classical %s filter;"
                        + " train one with 'hush train' (weights/%s.hush)", d.name(), ModelFiles.DEFAULT);
            }
        }
        return Main.EXIT_OK;
    }

    /** A bundled sample, decoded by io.hush.data.Images (via a temporary copy: it reads files). */
    static FloatImage sample(String name) throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream("/demo/" + name)) {
            if (in == null) throw new CliException("bundled sample /demo/" + name + " is missing from the jar");
            Path tmp = Files.createTempFile("hush-demo-", "-" + name);
            try {
                Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return Images.read(tmp);
            } catch (ImageFormatException e) {
                throw new CliException("bundled sample " + name + ": " + e.getMessage());
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static String fmt(float v) {
        return v == Math.rint(v) ? Integer.toString((int) v) : Float.toString(v);
    }
}
