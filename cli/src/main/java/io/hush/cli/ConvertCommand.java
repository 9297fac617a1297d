package io.hush.cli;

import io.hush.engine.Model;
import io.hush.engine.io.Storage;
import io.hush.engine.onnx.OnnxExporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

@Command(name = "convert",
        header = "Convert a model between ONNX (.onnx) and Hush (.hush).",
        description = {"The formats are chosen by the file extensions: .onnx -> .hush imports (PyTorch and tf2onnx"
                + " exports of convolutional denoisers and autoencoders; an unsupported operator is reported with every"
                + " other one in one message), .hush -> .onnx exports (NCHW interface, opset 13-18), .hush -> .hush"
                + " re-saves (e.g. with --storage float16). The output is written to a temporary file and moved into"
                + " place; the input is never modified."},
        footer = {"  hush convert dncnn.onnx weights/dncnn.hush",
                "  hush convert weights/gray-blind.hush gray-blind.onnx --opset 17",
                "  hush convert big.hush small.hush --storage float16",
                "  hush convert weights/seed-mnist.hush seed-int8.hush --storage int8"})
final class ConvertCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "IN", description = "Model to read: .onnx, .keras, .h5 or .hush (or a model name from weights/).")
    String in;

    @picocli.CommandLine.Mixin
    InputRangeOption inputRangeOption;

    @Parameters(index = "1", paramLabel = "OUT", description = "Model to write: .hush or .onnx.")
    Path out;

    @Option(names = "--opset", paramLabel = "N", defaultValue = "" + OnnxExporter.DEFAULT_OPSET,
            description = "ONNX opset to write (13-18, default ${DEFAULT-VALUE}).")
    int opset;

    @Option(names = "--storage", paramLabel = "TYPE", defaultValue = "float32",
            description = "How .hush stores trainable weights: float32 (exact), float16 or bfloat16 (about half the"
                    + " size), q4 (4-bit codes in blocks of 256 for kernels of >= 65,536 weights, float16 for the"
                    + " rest: about 1/8 of the size), or int8 (kernels as int8 with one scale per output channel,"
                    + " biases float32: about 1/4 of the size, and the model also runs from the int8 weights, with a"
                    + " quarter of the memory; inference only). q4 and int8 are lossy: check the model with 'hush eval'"
                    + " afterwards. Default: ${DEFAULT-VALUE}.")
    String storage;

    @Option(names = "--size", paramLabel = "HxW",
            description = "Build-time input size for an ONNX model whose height and width are symbolic (a"
                    + " fully-convolutional model still takes any size afterwards).")
    String size;

    @Option(names = "--overwrite", description = "Replace OUT if it exists (default: refuse).")
    boolean overwrite;

    @Override
    public Integer call() throws IOException {
        String o = out.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean toOnnx = o.endsWith(".onnx");
        if (!toOnnx && !o.endsWith(".hush")) {
            throw new CliException(out + ": unknown model format (write .hush or .onnx)", Main.EXIT_USAGE);
        }
        Storage st = switch (storage.toLowerCase(Locale.ROOT)) {
            case "float32", "f32", "fp32" -> Storage.FLOAT32;
            case "float16", "f16", "fp16", "half" -> Storage.FLOAT16;
            case "bfloat16", "bf16" -> Storage.BFLOAT16;
            case "q4", "int4", "4bit" -> Storage.Q4;
            case "int8", "i8", "8bit" -> Storage.INT8;
            default -> throw new CliException("--storage " + storage + ": float32, float16, bfloat16, q4 or int8", Main.EXIT_USAGE);
        };
        ModelFiles.Found found = ModelFiles.require(in);
        if (found.file() != null && Outputs.same(found.file(), out)) {
            throw new CliException(out + ": output is the input file itself (choose another OUT)");
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new CliException(out + ": folder " + parent + " does not exist");
        if (Files.exists(out) && !overwrite) throw new CliException(out + ": already exists (pass --overwrite to replace it)");
        Model m;
        if (size != null && found.file() != null && found.file().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
            int[] hw = InfoCommand.parseSize(size, "--size");
            m = Onnx.importModel(found.file(), hw[0], hw[1]);
        } else {
            m = found.load();
        }
        long params;
        try (m) {
            inputRangeOption.apply(m);
            params = m.parameterCount();
            if (m.card().name().isEmpty()) m.card().name(ModelFiles.stem(out));
            if (!toOnnx && (st == Storage.Q4 || st == Storage.INT8)) {
                // lossy: the card's storage note must not claim its metrics were measured on this file
                m.metadata().put("storage", st.name().toLowerCase(Locale.ROOT) + (st == Storage.INT8
                        ? ": kernels as int8 with one scale per output channel, computed from as int8" : ": big kernels as"
                        + " 4-bit block codes") + " (hush convert --storage " + st.name().toLowerCase(Locale.ROOT) + " from "
                        + found.name() + "); metrics were measured on the source model: check them with hush eval");
            }
            if (toOnnx && m.params().stream().anyMatch(p -> p.int8 != null)) {
                // ONNX gets float32 weights: the int8 kernels dequantized
                try (Model f = io.hush.engine.io.HushFormat.fromBytes(io.hush.engine.io.HushFormat.toBytes(m, Storage.FLOAT32),
                        found.where())) {
                    Onnx.exportModel(f, out, opset);
                }
            } else if (toOnnx) Onnx.exportModel(m, out, opset);
            else m.save(out, st);
        }
        result("%s -> %s (%s, %,d parameters, %,d bytes)", found.where(), out,
                toOnnx ? "ONNX opset " + opset : ".hush " + st.name().toLowerCase(Locale.ROOT), params, Files.size(out));
        return Main.EXIT_OK;
    }
}
