package io.hush.bench;

import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.kernels.ConvGeom;
import io.hush.engine.kernels.ConvScalar;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Conv2DTranspose;
import io.hush.engine.layers.Exec;
import io.hush.engine.layers.Layer;
import io.hush.engine.layers.Padding;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Convolution layer throughput. Score: calls per second; the {@code gflop} counter is the layer's useful
 * GFLOP per second (forward = 2 * MACs, backward = 4 * MACs for input and kernel gradients, or 2 * MACs when
 * the input gradient is skipped; bias and activation not counted) — divide by {@link FmaPeakBench} from the same
 * run for % of peak.
 *
 * <p>Cases: {@code big} = Conv2D 3x3 64->64 on 64x64, batch 8, SAME (the target case); {@code dn256} = the
 * same layer on one 256x256 image (a DnCNN inference layer); the seed network's
 * layers at their real shapes, batch 32 (every conv layer of {@code Architectures.seed}): {@code c1} Conv2D 1->32
 * 28x28, {@code c2} Conv2D 32->64 14x14 (after the first MaxPool, stride 1), {@code t1} Conv2DTranspose 64->64 s2
 * 7->14, {@code t2} Conv2DTranspose 64->32 s2 14->28, {@code c3} Conv2D 32->1 28x28.
 * {@code impl=scalar} runs the ConvScalar reference kernels (single-threaded whatever {@code threads} says; bias
 * and activation skipped) for the SIMD speed-up.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class ConvBench extends LayerBench {
    @Param({"big", "dn256", "c1", "c2", "t1", "t2", "c3"})
    public String shape;
    @Param({"simd", "scalar"})
    public String impl;

    Layer layer;
    Exec ex;
    long fwdFlops, bwdFlops;
    ConvGeom geom;
    MemorySegment kernelGrad, bias;

    @Setup(Level.Trial)
    public void setup() {
        open();
        Shape x;
        if (!impl.equals("simd") && !impl.equals("scalar")) throw new IllegalArgumentException("impl: simd or scalar, got " + impl);
        switch (shape) {
            case "big" -> { layer = new Conv2D(64, 3, Activation.LINEAR); x = Shape.of(8, 64, 64, 64); }
            case "dn256" -> { layer = new Conv2D(64, 3, Activation.LINEAR); x = Shape.of(1, 256, 256, 64); }
            case "c1" -> { layer = new Conv2D(32, 3, Activation.RELU); x = Shape.of(32, 28, 28, 1); }
            case "c2" -> { layer = new Conv2D(64, 3, 1, Padding.SAME, Activation.RELU); x = Shape.of(32, 14, 14, 32); }
            case "t1" -> { layer = new Conv2DTranspose(64, 3, 2, Padding.SAME, Activation.RELU); x = Shape.of(32, 7, 7, 64); }
            case "t2" -> { layer = new Conv2DTranspose(32, 3, 2, Padding.SAME, Activation.RELU); x = Shape.of(32, 14, 14, 64); }
            case "c3" -> { layer = new Conv2D(1, 3, Activation.SIGMOID); x = Shape.of(32, 28, 28, 32); }
            default -> throw new IllegalArgumentException(shape);
        }
        Shape[] per = {x.dropBatch()};
        Shape o = layer.outputShape(per).withBatch(x.dim(0));
        layer.createParams(per, arena);
        layer.initialize(new SplittableRandom(1));
        tensors(x, o, 2, true);
        ex = new Exec(pool, true);
        long sc = layer.scratchFloats(new Shape[]{x}, o, threads);
        ex.scratch = sc > 0 ? floats(sc) : MemorySegment.NULL;
        long macs = layer.flops(per, o.dropBatch()) / 2 * x.dim(0);
        fwdFlops = 2 * macs;
        bwdFlops = shape.equals("c1") ? 2 * macs : 4 * macs; // c1 is a model input: no input gradient
        geom = layer instanceof Conv2D c ? c.geometry(x) : ((Conv2DTranspose) layer).geometry(x);
        kernelGrad = floats(geom.kernelSize());
        bias = layer.params().size() > 1 ? layer.params().get(1).value.data() : MemorySegment.NULL;
        layer.forward(in, out, ex);
    }

    @Benchmark
    public void forward(ModelBench.Flops f) {
        if (impl.equals("scalar")) {
            MemorySegment w = layer.params().get(0).value.data();
            if (layer instanceof Conv2D) ConvScalar.forward(geom, in[0].data(), w, bias, out.data());
            else ConvScalar.backwardData(geom, in[0].data(), transposedKernel(), bias, out.data());
        } else {
            layer.forward(in, out, ex);
        }
        f.gflop += fwdFlops * 1e-9;
    }

    @Benchmark
    public void backward(ModelBench.Flops f) {
        if (impl.equals("scalar")) {
            if (layer instanceof Conv2D) {
                ConvScalar.weightGrad(geom, in[0].data(), gradOut.data(), kernelGrad);
                if (!shape.equals("c1")) {
                    ConvScalar.backwardData(geom, gradOut.data(), layer.params().get(0).value.data(), MemorySegment.NULL,
                            gradIn[0].data());
                }
            } else {
                ConvScalar.weightGrad(geom, gradOut.data(), in[0].data(), kernelGrad);
                ConvScalar.forward(geom, gradOut.data(), transposedKernel(), MemorySegment.NULL, gradIn[0].data());
            }
        } else {
            layer.backward(in, out, gradOut, shape.equals("c1") ? new Tensor[]{null} : gradIn, ex);
        }
        f.gflop += bwdFlops * 1e-9;
    }

    private MemorySegment tk;

    /** Conv2DTranspose's [KH,KW,Cin,Cout] kernel as the HWIO kernel of the convolution it transposes. */
    private MemorySegment transposedKernel() {
        if (tk == null) {
            tk = floats(geom.kernelSize());
            io.hush.engine.kernels.ConvSimd.transposeTaps(layer.params().get(0).value.data(), geom.taps(),
                    geom.cout(), geom.cin(), tk);
        }
        return tk;
    }
}
