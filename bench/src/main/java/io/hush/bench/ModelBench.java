package io.hush.bench;

import io.hush.engine.Model;
import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.graph.FoldBatchNorm;
import io.hush.engine.io.HushFormat;
import io.hush.engine.io.ModelFormatException;
import io.hush.engine.io.Storage;
import io.hush.train.Architectures;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

/**
 * Whole-model inference with Hush. Score: inferences (model calls) per second; the {@code gflop} counter is the
 * model's forward GFLOP per second (multiply-add = 2, {@link Model#flops}) — divide by {@link FmaPeakBench} from the
 * same run for % of peak. Peers run the very same cases: {@code PeerOrtBench} (ONNX export of this model and its
 * weights) and {@code PeerTorchBench} (the same architecture in PyTorch through DJL).
 *
 * <p>Cases ({@code net}): {@code seed-b1} / {@code seed-b128} = the seed network (28x28x1, 9.9M parameters) at batch
 * 1 / 128; {@code seed-b1-int8} / {@code seed-b128-int8} = the same with its kernels kept as int8 (peers run the float
 * case: the target is int8 Hush against float32 ONNX Runtime); {@code dncnn-256} / {@code dncnn-512} = DnCNN (17 layers, 64 channels, BatchNorm folded into the convs
 * with {@link FoldBatchNorm}) on one 256x256 / 512x512 grey image.
 */
public class ModelBench extends ModelSuiteBench {
    @Param({"seed-b1", "seed-b128", "seed-b1-int8", "seed-b128-int8", "dncnn-256", "dncnn-512", "cdncnn20-481x321",
            "cdncnn20-512", "color-blind-512"})
    public String net;

    Model model;
    Arena arena;
    Tensor x, y;
    double gflopPerCall;

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double gflop;

        @Setup(Level.Iteration)
        public void reset() { gflop = 0; }
    }

    /** The Hush model of a case, ready for inference (DnCNN with its BatchNorms folded). */
    static Model build(String net) {
        return switch (net) {
            case "seed-b1", "seed-b128" -> Architectures.seed(42);
            case "seed-b1-int8", "seed-b128-int8" -> int8(Architectures.seed(42));
            case "dncnn-256", "dncnn-512" -> {
                int side = side(net);
                Model m = Architectures.dncnn(side, side, 1, 17, 64, true, false, 42);
                Model folded = FoldBatchNorm.fold(m);
                m.close();
                yield folded;
            }
            case "cdncnn20-481x321", "cdncnn20-512" -> { // CDnCNN-B's shape: 20 layers of 64 channels, RGB in and out
                Model m = Architectures.dncnn(height(net), side(net), 3, 20, 64, true, false, 42);
                Model folded = FoldBatchNorm.fold(m);
                m.close();
                yield folded;
            }
            case "color-blind-512" -> { // the shipped colour model (its weights matter for nothing but realism)
                try {
                    yield Model.load(java.nio.file.Path.of(System.getProperty("hush.root", "."),
                            "weights/color-blind.hush")); // fully convolutional: runs at any size
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("color-blind-512 needs weights/color-blind.hush under"
                            + " -Dhush.root (default: the working folder): " + e.getMessage(), e);
                }
            }
            default -> throw new IllegalArgumentException("unknown case '" + net + "' (seed-b1, seed-b128, seed-b1-int8,"
                    + " seed-b128-int8, dncnn-256, dncnn-512, cdncnn20-481x321, cdncnn20-512, color-blind-512)");
        };
    }

    static int side(String net) {
        return switch (net) {
            case "seed-b1", "seed-b128", "seed-b1-int8", "seed-b128-int8" -> 28;
            case "dncnn-256" -> 256;
            case "dncnn-512", "cdncnn20-512", "color-blind-512" -> 512;
            case "cdncnn20-481x321" -> 481;
            default -> throw new IllegalArgumentException(net);
        };
    }

    /** Image height of a case (square but for the 481x321 photos). */
    static int height(String net) { return net.equals("cdncnn20-481x321") ? 321 : side(net); }

    /** Image channels of a case. */
    static int channels(String net) { return net.startsWith("cdncnn") || net.startsWith("color-") ? 3 : 1; }

    static int batch(String net) { return net.startsWith("seed-b128") ? 128 : 1; }

    /** The same model with its kernels kept as int8 (saved with {@link Storage#INT8} and loaded back); closes {@code m}. */
    static Model int8(Model m) {
        try (m) {
            return HushFormat.fromBytes(HushFormat.toBytes(m, Storage.INT8), m.card().name() + "-int8");
        } catch (ModelFormatException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The float32 case an int8 case is compared with (its peers run that one: ONNX has no int8 kernels of ours). */
    static String floatCase(String net) { return net.replace("-int8", ""); }

    /** Batched input shape {@code [N,H,W,C]} (the peers take {@code [N,C,H,W]}: random data, so the order does not matter). */
    static Shape inputShape(String net) {
        return Shape.of(batch(net), height(net), side(net), channels(net));
    }

    /** Deterministic input images in [0,1]. */
    static float[] inputData(long size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[Math.toIntExact(size)];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble();
        return a;
    }

    /** Forward GFLOP of one call of a case (Hush's count; the peers are credited with the same). */
    static double gflopPerCall(Model m, String net) {
        return m.flops(inputShape(net).dropBatch()) * (double) batch(net) * 1e-9;
    }

    @Setup(Level.Trial)
    public void setup() {
        model = build(net).threads(threads);
        arena = Arena.ofShared();
        Shape in = inputShape(net);
        x = Tensor.of(arena, inputData(in.size(), 7), in.dims());
        gflopPerCall = gflopPerCall(model, net);
        y = model.forward(x);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
        arena.close();
    }

    @Benchmark
    public float infer(Flops f) {
        model.forward(x, y); // into a preallocated output, as a service reusing its buffers runs it
        f.gflop += gflopPerCall;
        return y.get(0);
    }
}
