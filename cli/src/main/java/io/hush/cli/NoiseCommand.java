package io.hush.cli;

import io.hush.image.FloatImage;
import io.hush.data.ImageFormatException;
import io.hush.data.Images;
import io.hush.noise.NoiseModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;

@Command(name = "noise",
        header = "Add synthetic noise to an image (to make test inputs).",
        description = {"Reads IN (any supported format), adds noise drawn from --seed, and writes OUT as PNG or TIFF at the"
                + " input's bit depth. Values are clipped to [0,1] and rounded to that depth on writing, as in a real"
                + " noisy file. The same seed gives the same noise on any machine. The input is never modified."},
        footerHeading = "%nNoise specs:%n",
        footer = {"  gaussian:25          sigma 25 on the 0..255 scale",
                "  gaussian:0-55        sigma drawn uniformly from 0..55",
                "  saltpepper:0.05      5%% of values to 0 or 1 (saltpepper:0.05,0.3: 30%% of them salt)",
                "  poisson:30           Poisson noise with peak photon count 30",
                "  speckle:0.1          v + v*n, n ~ N(0, 0.1^2)",
                "  mask:0.2             20%% of pixels set to 0",
                "  camera               real-camera noise: the image unprocessed to a raw Bayer mosaic, shot and read",
                "                       noise, demosaiced, processed back, JPEG; channel- and pixel-correlated",
                "  camera:shot=0.0002-0.004,jpeg=80-95,mosaic=noise   its parameters (key=value joined with ','):",
                "                       shot  shot-noise factor or lo-hi range, log-uniform (default 0.0001-0.002)",
                "                       jpeg  JPEG quality or lo-hi range, or off (default 60-95)",
                "                       mosaic  noise (only the noise is demosaiced, default) or image (the whole image)",
                "  gaussian:0-25|gaussian:0-55   a mixture: each image gets one alternative",
                "  gaussian:25+saltpepper:0.02+clip+q8   stages joined with +; flags clip, q8 (8-bit quantisation)",
                "",
                "Example:",
                "  hush noise clean.png noisy.png --type gaussian:25 --seed 1"})
final class NoiseCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "IN", description = "Clean input image.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "Noisy output image (.png, .tif, .tiff).")
    Path out;

    @Option(names = {"-t", "--type"}, required = true, paramLabel = "SPEC",
            description = "Noise to add, e.g. gaussian:25 (see the list below).")
    String type;

    @Option(names = {"-s", "--seed"}, paramLabel = "N", defaultValue = "0",
            description = "Random seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "" + Images.DEFAULT_MAX_PIXELS,
            description = "Refuse images whose header claims more than N pixels (default ${DEFAULT-VALUE}).")
    long maxPixels;

    @Option(names = "--overwrite", description = "Replace OUT if it exists (default: refuse).")
    boolean overwrite;

    @Override
    public Integer call() throws ImageFormatException {
        NoiseModel noise;
        try {
            noise = NoiseModel.parse(type);
        } catch (IllegalArgumentException e) {
            throw new CliException("--type: " + Main.oneLine(e.getMessage()), Main.EXIT_USAGE);
        }
        Images.Format format = Images.Format.fromFileName(out.getFileName().toString());
        if (format == null) throw new CliException(out + ": unsupported output format (PNG or TIFF: .png, .tif, .tiff)");
        Outputs.Job job = Outputs.plan(List.of(in), false, out, format, overwrite).get(0);
        if (job.problem() != null) throw new CliException(in + ": " + job.problem());
        FloatImage img = Images.read(in, maxPixels);
        FloatImage noisy = addNoise(img, noise, seed);
        Images.write(out, noisy, format, img.bitDepth());
        info("%s -> %s (%s, seed %d, %dx%d %d-bit)", in, out, noise, seed, img.width(), img.height(), img.bitDepth());
        return Main.EXIT_OK;
    }

    /**
     * A noisy copy of {@code img}'s colour planes (alpha kept as is). The noise sees the image's grid
     * ({@code [height, width, channels]}), so grid-aware stages such as camera lay their Bayer mosaic out right on
     * any shape.
     */
    static FloatImage addNoise(FloatImage img, NoiseModel noise, long seed) {
        int c = img.channels();
        float[] hwc = img.toHwc();
        try {
            noise.applyInPlace(hwc, 0, img.height(), img.width(), c, seed);
        } catch (IllegalArgumentException e) { // e.g. camera on a 2-channel or 1-pixel-wide image
            throw new CliException("noise " + noise + ": " + Main.oneLine(e.getMessage()));
        }
        FloatImage n = FloatImage.fromHwc(hwc, img.height(), img.width(), c, img.bitDepth());
        return new FloatImage(img.width(), img.height(), io.hush.denoise.Resize.planes(n), img.alpha(), img.bitDepth());
    }
}
