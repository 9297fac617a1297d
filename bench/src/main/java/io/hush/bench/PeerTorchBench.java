package io.hush.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.ParallelBlock;
import ai.djl.ndarray.NDArrays;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.hush.engine.Model;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.util.List;

/**
 * Peer of {@link ModelBench}: PyTorch 2.7.1 (libtorch CPU through DJL 0.34, offline) running the same architectures,
 * built as DJL blocks in NCHW (own random weights: speed does not depend on them; the stride-2 transposed convolutions as their four
 * phase convolutions, see {@link #transposedConvS2}), inference with autograd off,
 * intra-op threads = {@code threads}. Score and {@code gflop} as in ModelBench (credited with Hush's FLOP count).
 * Built only with {@code -Ppeers}.
 */
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx6g",
        "-Dai.djl.offline=true"})
public class PeerTorchBench extends ModelSuiteBench {
    @Param({"seed-b1", "seed-b128", "dncnn-256", "dncnn-512", "cdncnn20-481x321", "cdncnn20-512"})
    public String net;

    NDManager manager;
    Block block;
    ParameterStore params;
    NDArray x;
    double gflopPerCall;

    /** Starts libtorch offline with {@code threads} intra-op threads (call before anything else from DJL). */
    static Engine engine(int threads) {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Engine e = Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
        return e;
    }

    /** The seed network as in io.hush.train.Architectures.seed, NCHW: 3x3 SAME convs, ReLU, 2x2 max pools. */
    static Block seedBlock() {
        Shape k = new Shape(3, 3), p = new Shape(1, 1), s2 = new Shape(2, 2);
        return new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(k).optPadding(p).setFilters(32).build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(s2, s2))
                .add(Conv2d.builder().setKernelShape(k).optPadding(p).setFilters(64).build())
                .add(Activation.reluBlock())
                .add(Pool.maxPool2dBlock(s2, s2))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(7 * 7 * 64).build())
                .add(Activation.reluBlock())
                .add(new LambdaBlock(l -> new NDList(l.singletonOrThrow().reshape(-1, 64, 7, 7))))
                .add(transposedConvS2(64))
                .add(Activation.reluBlock())
                .add(transposedConvS2(32))
                .add(Activation.reluBlock())
                .add(Conv2d.builder().setKernelShape(k).optPadding(p).setFilters(1).build())
                .add(Activation.sigmoidBlock());
    }

    /**
     * A 3x3 stride-2 SAME transposed convolution (PyTorch padding 1, output_padding 1: the side doubles, as in
     * Keras/Hush). DJL's PyTorch engine does not implement deconvolution ({@code PtNDArrayEx.deconvolution} throws
     * "Not implemented"), so it is built from its four output phases, which is exactly what it computes: even/even
     * output pixels see one kernel tap (1x1 conv), even/odd and odd/even two (1x2, 2x1), odd/odd four (2x2) — 9 taps
     * per input pixel, the same FLOPs as the transposed conv — interleaved into the {@code [N,C,2H,2W]} output.
     */
    static Block transposedConvS2(int filters) {
        List<Block> phases = List.of(
                Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(filters).build(),
                Conv2d.builder().setKernelShape(new Shape(1, 2)).optPadding(new Shape(0, 1)).setFilters(filters).build(),
                Conv2d.builder().setKernelShape(new Shape(2, 1)).optPadding(new Shape(1, 0)).setFilters(filters).build(),
                Conv2d.builder().setKernelShape(new Shape(2, 2)).optPadding(new Shape(1, 1)).setFilters(filters).build());
        return new ParallelBlock(outs -> {
            NDArray ee = outs.get(0).singletonOrThrow();
            NDArray eo = outs.get(1).singletonOrThrow().get(":, :, :, 1:");
            NDArray oe = outs.get(2).singletonOrThrow().get(":, :, 1:, :");
            NDArray oo = outs.get(3).singletonOrThrow().get(":, :, 1:, 1:");
            Shape s = ee.getShape(); // [N,C,H,W]
            long n = s.get(0), c = s.get(1), h = s.get(2), w = s.get(3);
            NDArray y = NDArrays.stack(new NDList(ee, eo, oe, oo), 2) // [N,C,4,H,W], phase = 2*rowParity + colParity
                    .reshape(n, c, 2, 2, h, w)
                    .transpose(0, 1, 4, 2, 5, 3) // [N,C,H,2,W,2]
                    .reshape(n, c, 2 * h, 2 * w);
            return new NDList(y);
        }, phases);
    }

    /** DnCNN for inference with BatchNorm folded: (depth-1) x (3x3 conv 64 + bias, ReLU), 3x3 conv to {@code out} channels. */
    static Block dncnnBlock(int depth, int out) {
        Shape k = new Shape(3, 3), p = new Shape(1, 1);
        SequentialBlock b = new SequentialBlock();
        for (int i = 0; i < depth - 1; i++) {
            b.add(Conv2d.builder().setKernelShape(k).optPadding(p).setFilters(64).build()).add(Activation.reluBlock());
        }
        return b.add(Conv2d.builder().setKernelShape(k).optPadding(p).setFilters(out).build());
    }

    @Setup(Level.Trial)
    public void setup() {
        engine(threads);
        try (Model m = ModelBench.build(net)) {
            gflopPerCall = ModelBench.gflopPerCall(m, net);
        }
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        int c = ModelBench.channels(net);
        block = net.startsWith("seed") ? seedBlock() : net.startsWith("cdncnn20") ? dncnnBlock(20, c) : dncnnBlock(17, c);
        Shape in = new Shape(ModelBench.batch(net), c, ModelBench.height(net), ModelBench.side(net));
        block.initialize(manager, DataType.FLOAT32, in);
        x = manager.create(ModelBench.inputData(in.size(), 7), in);
        params = new ParameterStore(manager, false);
        infer(new ModelBench.Flops());
    }

    @Setup(Level.Iteration)
    public void threadState() {
        // grad mode and the OpenMP thread count are per thread in libtorch: set them on the benchmark thread
        JniUtils.setGradMode(false);
        JniUtils.setNumThreads(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }

    @Benchmark
    public long infer(ModelBench.Flops f) {
        try (NDManager step = manager.newSubManager()) {
            x.tempAttach(step); // intermediate arrays are freed with the sub-manager; x returns to manager
            NDList y = block.forward(params, new NDList(x), false);
            f.gflop += gflopPerCall;
            return y.singletonOrThrow().getShape().size();
        }
    }
}
