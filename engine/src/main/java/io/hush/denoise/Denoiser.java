package io.hush.denoise;

import io.hush.image.BufferedImages;
import io.hush.image.FloatImage;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Anything that denoises a whole image: a model ({@link ModelDenoiser}) or a classical filter. The entry point for
 * embedding Hush:
 *
 * <pre>{@code
 * try (Denoiser d = Denoiser.open(Path.of("weights/gray-blind.hush"))) {   // .hush or .onnx; BatchNorm folded
 *     BufferedImage clean = d.denoise(ImageIO.read(new File("noisy.png")));  // any size, gray or RGB, alpha kept
 * }
 * }</pre>
 *
 * <p><b>Thread safety.</b> A denoiser from {@link #open} may be shared: {@link #denoise} can be called from many
 * threads at once and gives each caller the result a serial call would, bit for bit. The model's workspace is
 * reused across calls (bounded per concurrent caller), and concurrent callers together are not slower than one.
 *
 * <p><b>JVM flags.</b> The engine runs on the incubating Vector API: start the JVM with
 * {@code --add-modules jdk.incubator.vector} (and {@code --enable-native-access=ALL-UNNAMED} to silence native-access
 * warnings). Without the first, {@link #open} throws an {@link IllegalStateException} saying so.
 */
public interface Denoiser extends AutoCloseable {

    /**
     * Opens a model file ({@code .hush}, {@code .onnx}, or {@code .keras}/{@code .h5} with the hush-keras module on the
     * class path; the kind is read from the file's first bytes) for inference: BatchNorm folded into the
     * convolutions, as {@code hush denoise} runs it. Close the denoiser to free the model.
     */
    static ModelDenoiser open(Path model) throws IOException {
        return ModelDenoiser.owning(Models.forInference(Models.load(model)), Models.stem(model));
    }

    /** {@link #open(Path)} from the bytes of a model file (a classpath resource, a Spark broadcast). */
    static ModelDenoiser open(byte[] model) throws IOException {
        return ModelDenoiser.owning(Models.forInference(Models.load(model, "model bytes")), "model");
    }

    /** {@link #open(Path)} from a stream, read to its end (not closed). */
    static ModelDenoiser open(InputStream model) throws IOException {
        return open(model.readAllBytes());
    }

    /**
     * A model of the shipped zoo in {@code weightsDir} ({@code NAME.hush}, as in the repository's {@code weights/}),
     * or {@code "auto"}: gray-blind for gray images; for colour ones, color-real on camera photos and clean-ish
     * pictures and a Gaussian-noise model (color-blind, or gray-blind per channel while color-blind is absent) on
     * strongly noisy ones, chosen per image by {@link NoiseLevelDenoiser}; models that are absent drop out of the
     * choice (only gray-blind: gray-blind on everything).
     */
    static Denoiser openZoo(Path weightsDir, String name) throws IOException {
        if (!name.equals("auto")) return open(weightsDir.resolve(name + ".hush"));
        List<Denoiser> opened = new ArrayList<>();
        try {
            ModelDenoiser gray = open(weightsDir.resolve("gray-blind.hush"));
            opened.add(gray);
            Path colorBlind = weightsDir.resolve("color-blind.hush"), colorReal = weightsDir.resolve("color-real.hush");
            ModelDenoiser gaussian = java.nio.file.Files.isRegularFile(colorBlind) ? open(colorBlind) : null;
            if (gaussian != null) opened.add(gaussian);
            ModelDenoiser camera = java.nio.file.Files.isRegularFile(colorReal) ? open(colorReal) : null;
            if (camera != null) opened.add(camera);
            return auto(gray, gaussian, camera);
        } catch (IOException | RuntimeException e) {
            for (Denoiser d : opened) d.close();
            throw e;
        }
    }

    /**
     * How {@code "auto"} puts the zoo together (here and in {@code hush denoise}): {@code gray} for gray images; for
     * colour ones {@code camera} where the image reads a white-noise sigma under
     * {@link NoiseLevelDenoiser#DEFAULT_THRESHOLD} and {@code gaussianColor} above. A part that is null drops out
     * ({@code gray}, per channel, stands in for {@code gaussianColor}); with only {@code gray} the result is {@code gray}.
     * Closing the result closes every part given.
     */
    static Denoiser auto(Denoiser gray, Denoiser gaussianColor, Denoiser camera) {
        Denoiser color = gaussianColor != null ? gaussianColor : gray;
        if (camera != null) color = NoiseLevelDenoiser.of(camera, color, NoiseLevelDenoiser.DEFAULT_THRESHOLD);
        return color == gray ? gray : GrayColorDenoiser.of(gray, color);
    }

    /** Short name for tables and messages ("gray-blind", "nlm"). */
    String name();

    /** The denoiser that actually runs on this image (itself, except for a router such as {@link GrayColorDenoiser}). */
    default Denoiser forImage(FloatImage img) { return this; }

    /** Whether {@link #denoise} uses the noise level of the options (a non-blind method); blind ones ignore it. */
    boolean usesSigma();

    /** Why this image cannot be denoised with these options (wrong size for a fixed-size model), or null. */
    default String refusal(FloatImage img, DenoiseOptions options) { return null; }

    /**
     * Denoises {@code img} (values in [0,1]) and returns the result (size, alpha and bit depth kept). May reuse and
     * overwrite the planes of {@code img}: pass a {@link FloatImage#copy()} to keep the input.
     */
    FloatImage denoise(FloatImage img, DenoiseOptions options);

    /** {@link #denoise(FloatImage, DenoiseOptions)} with {@link DenoiseOptions#defaults()}. */
    default FloatImage denoise(FloatImage img) {
        return denoise(img, DenoiseOptions.defaults());
    }

    /**
     * Denoises a {@link BufferedImage} (8- or 16-bit gray, gray+alpha, RGB, RGBA; palettes and other colour models
     * as 8-bit sRGB) into a new one with the input's size, bit depth and alpha. The input is not modified.
     */
    default BufferedImage denoise(BufferedImage img, DenoiseOptions options) {
        FloatImage f = BufferedImages.toFloat(img);
        return BufferedImages.toBuffered(denoise(f, options));
    }

    /** {@link #denoise(BufferedImage, DenoiseOptions)} with {@link DenoiseOptions#defaults()}. */
    default BufferedImage denoise(BufferedImage img) {
        return denoise(img, DenoiseOptions.defaults());
    }

    /**
     * Denoises several images, {@code options.get(i)} for image i (each image may be overwritten). The default runs
     * them one by one; a model runs small images of one size as a batch (one forward pass for many MNIST digits).
     */
    default List<FloatImage> denoiseAll(List<FloatImage> imgs, List<DenoiseOptions> options) {
        if (options.size() != imgs.size()) {
            throw new IllegalArgumentException(imgs.size() + " images but " + options.size() + " options");
        }
        List<FloatImage> out = new ArrayList<>(imgs.size());
        for (int i = 0; i < imgs.size(); i++) out.add(denoise(imgs.get(i), options.get(i)));
        return out;
    }

    /** Frees what the denoiser owns (the model of {@link #open}); a no-op for filters. */
    @Override
    default void close() {}
}
