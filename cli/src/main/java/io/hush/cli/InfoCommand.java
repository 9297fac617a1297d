package io.hush.cli;

import io.hush.denoise.ModelDenoiser;
import io.hush.engine.Model;
import io.hush.engine.Shape;
import io.hush.engine.io.ModelSummary;
import io.hush.engine.io.StoredTensors;
import io.hush.engine.layers.Param;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.Locale;

@Command(name = "info",
        header = "Describe a model file (.hush or .onnx).",
        description = {"Prints the architecture (layers, shapes, parameters), FLOPs, the model card (what it was trained"
                + " for, how, and its measured metrics) and how 'hush denoise' will run it (channels, sizes, receptive"
                + " field)."},
        footer = {"  hush info weights/gray-blind.hush", "  hush info model.onnx --size 1080x1920"})
final class InfoCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "A .hush, .onnx, .keras or .h5 model file, or a model name from weights/.")
    String file;

    @picocli.CommandLine.Mixin
    InputRangeOption inputRangeOption;

    @Option(names = "--size", paramLabel = "HxW",
            description = "Show shapes and FLOPs for an input of this size (fully-convolutional models).")
    String size;

    @Override
    public Integer call() throws IOException {
        ModelFiles.Found found = ModelFiles.require(file);
        try (Model m = inputRangeOption.apply(found.load())) {
            Shape in = m.inputShape();
            if (size != null) {
                int[] hw = parseSize(size, "--size");
                if (in.rank() != 3) throw new CliException("--size: the model takes vectors " + in + ", not images");
                in = Shape.of(hw[0], hw[1], in.dim(2));
                try {
                    m.outputShape(in);
                } catch (IllegalArgumentException e) {
                    throw new CliException("--size " + size + ": " + Main.oneLine(e.getMessage()));
                }
            }
            result("File: %s", found.where());
            out().print(ModelSummary.render(m, in));
            printStorage(found, m);
            try {
                ModelDenoiser d = ModelDenoiser.of(m);
                String rf = "";
                if (d.anySize()) {
                    int r = d.receptiveRadius();
                    rf = r < 0 ? "; receptive field wider than 128 px" : "; receptive field radius " + r + " px";
                }
                result("Denoising: %s%s", d.describe(), rf);
            } catch (IllegalArgumentException e) {
                result("Denoising: not usable by 'hush denoise' (%s)", Main.oneLine(e.getMessage()));
            }
            out().flush();
        }
        return Main.EXIT_OK;
    }

    /**
     * How the weights are stored in the file (.hush: per data type) and kept in memory (int8 kernels, float32 for the
     * rest; a float32 parameter also has a gradient buffer of its size).
     */
    private void printStorage(ModelFiles.Found found, Model m) {
        if (found.file() != null && found.file().getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".hush")) {
            try {
                result("Stored: %s", StoredTensors.describe(StoredTensors.of(java.nio.file.Files.readAllBytes(found.file()))));
            } catch (IOException e) {
                result("Stored: unreadable (%s)", Main.oneLine(e.getMessage()));
            }
        }
        long int8 = 0, f32 = 0, int8Kernels = 0;
        for (Param p : m.params()) {
            if (p.int8 != null) {
                int8 += p.int8.bytes();
                int8Kernels++;
            } else {
                f32 += 4 * p.value.size();
            }
        }
        result("Weights in memory: %s%s", StoredTensors.bytes(int8 + f32), int8Kernels == 0 ? " (float32)"
                : String.format(Locale.ROOT, " (%d int8 kernel%s: %s, computed from as int8; float32: %s)", int8Kernels,
                int8Kernels == 1 ? "" : "s", StoredTensors.bytes(int8), StoredTensors.bytes(f32)));
    }

    /** "HxW" (or "H,W" / "HXW") into {h, w}. */
    static int[] parseSize(String s, String option) {
        String[] p = s.toLowerCase(Locale.ROOT).split("[x,]");
        try {
            if (p.length != 2) throw new NumberFormatException();
            int h = Integer.parseInt(p[0].trim()), w = Integer.parseInt(p[1].trim());
            if (h < 1 || w < 1) throw new NumberFormatException();
            return new int[] {h, w};
        } catch (NumberFormatException e) {
            throw new CliException(option + " " + s + ": expected HxW, e.g. 512x512", Main.EXIT_USAGE);
        }
    }
}
