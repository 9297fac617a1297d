package io.hush.engine.io;

import io.hush.engine.Model;
import io.hush.engine.Shape;
import io.hush.engine.Tensor;
import io.hush.engine.graph.FoldBatchNorm;
import io.hush.engine.io.proto.DataType;
import io.hush.engine.io.proto.HushModel;
import io.hush.engine.kernels.Activation;
import io.hush.engine.layers.BatchNorm2D;
import io.hush.engine.layers.Conv2D;
import io.hush.engine.layers.Conv2DTranspose;
import io.hush.engine.layers.Dense;
import io.hush.engine.layers.Flatten;
import io.hush.engine.layers.KernelLayer;
import io.hush.engine.layers.KernelStorage;
import io.hush.engine.layers.Padding;
import io.hush.engine.layers.Param;
import io.hush.engine.layers.Reshape;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.time.Instant;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Storage#INT8}: kernels stored as symmetric int8 with one scale per output channel load as int8 and the
 * layers compute from the codes. Checked here: the codes and scales are what the scheme says, a weight moves by at
 * most half its channel's step, the loaded model's output equals the float model's with those dequantized weights
 * (up to float rounding), an int8 model re-saves bit for bit, its weights take a quarter of the memory, BatchNorm folds
 * into the channel scales, and training is refused.
 */
class Int8StorageTest {
    /** A small seed-like network: conv, conv stride 2, dense bottleneck, transposed conv, conv to 1 channel. */
    static Model net() {
        Model m = Model.builder(8, 8, 1).seed(7)
                .add(new Conv2D(8, 3, Activation.RELU))
                .add(new Conv2D(16, 3, 2, Padding.SAME, Activation.RELU))
                .add(new Flatten())
                .add(new Dense(4 * 4 * 16, Activation.RELU))
                .add(new Reshape(4, 4, 16))
                .add(new Conv2DTranspose(8, 3, 2, Padding.SAME, Activation.RELU))
                .add(new Conv2D(1, 3))
                .build();
        SplittableRandom r = new SplittableRandom(3);
        for (Param p : m.params()) { // biases non-zero, one channel much smaller than the others
            float[] v = p.value.toArray();
            for (int i = 0; i < v.length; i++) v[i] = p.name.equals("bias") ? (float) r.nextGaussian() * 0.1f : v[i];
            if (p.name.equals("kernel")) for (int i = 0; i < v.length; i += p.value.shape().dim(-1)) v[i] *= 1e-3f;
            p.value.copyFrom(v);
        }
        return m;
    }

    static float[] input(long size) {
        SplittableRandom r = new SplittableRandom(9);
        float[] x = new float[(int) size];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
        return x;
    }

    @Test
    void kernelsTakeInt8WithAScalePerOutputChannel() {
        try (Model m = net()) {
            HushModel enc = ModelEncoder.encode(m, Storage.INT8, Instant.EPOCH, "t");
            for (int node = 0; node < enc.getNodesCount(); node++) {
                for (io.hush.engine.io.proto.Tensor t : enc.getNodes(node).getParamsList()) {
                    DataType want = t.getDimsCount() >= 2 ? DataType.INT8_CHANNEL : DataType.FLOAT32;
                    assertEquals(want, t.getDataType(), t.getName() + " of node " + node);
                }
            }
            io.hush.engine.io.proto.Tensor dense = enc.getNodes(3).getParams(0);
            int c = 256;
            assertEquals(4 * c + 256 * 256, dense.getData().size(), "scales then codes");
            float[] w = m.nodes().get(4).layer().params().get(0).value.toArray();
            java.nio.ByteBuffer b = dense.getData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int ch = 0; ch < c; ch++) {
                float amax = 0;
                for (int i = ch; i < w.length; i += c) amax = Math.max(amax, Math.abs(w[i]));
                float scale = b.getFloat(4 * ch);
                assertEquals(amax / 127f, scale, "channel " + ch);
                for (int i = ch; i < w.length; i += c) {
                    int code = b.get(4 * c + i);
                    assertTrue(Math.abs(code) <= 127);
                    assertTrue(Math.abs(code * scale - w[i]) <= scale / 2 * 1.0001f, "weight " + i + " within half a step");
                }
            }
        }
    }

    @Test
    void loadedModelComputesFromTheCodesAndResavesExactly() throws Exception {
        try (Model m = net()) {
            byte[] file = HushFormat.toBytes(m, Storage.INT8);
            try (Model q = HushFormat.fromBytes(file, "int8.hush");
                 Model deq = HushFormat.fromBytes(HushFormat.toBytes(m, Storage.FLOAT32), "f32.hush")) {
                long kernels = 0, weights = 0;
                for (var n : q.nodes()) {
                    if (n.layer() instanceof KernelLayer kl) {
                        assertEquals(KernelStorage.INT8, kl.kernelStorage(), n.layer().toString());
                        Param k = kl.kernel();
                        assertNotNull(k.int8);
                        assertFalse(k.value.hasData(), "no float32 copy of an int8 kernel");
                        kernels += k.int8.bytes();
                        weights += k.value.size();
                        // the float model with the dequantized weights is the reference
                        Param fk = ((KernelLayer) deq.nodes().get(n.id()).layer()).kernel();
                        fk.value.copyFrom(k.int8.toArray());
                    }
                }
                assertTrue(kernels < weights + 4 * 1024, kernels + " bytes for " + weights + " weights: about one each");
                assertEquals(m.parameterCount(), q.parameterCount());
                Shape in = Shape.of(5, 8, 8, 1);
                float[] x = input(in.size());
                try (Arena a = Arena.ofShared()) {
                    Tensor xt = Tensor.of(a, x, in.dims());
                    float[] got = q.forward(xt).toArray(), want = deq.forward(xt).toArray(), orig = m.forward(xt).toArray();
                    double worst = 0, scale = 0, err = 0;
                    for (int i = 0; i < got.length; i++) {
                        worst = Math.max(worst, Math.abs(got[i] - want[i]));
                        scale = Math.max(scale, Math.abs(want[i]));
                        err = Math.max(err, Math.abs(got[i] - orig[i]));
                    }
                    assertTrue(worst <= 1e-5 * Math.max(1, scale), "int8 compute vs float on the same weights: " + worst);
                    assertTrue(err < 0.05 * Math.max(1, scale), "quantization error vs the float model: " + err);
                    assertTrue(err > 0, "int8 is lossy");
                }
                assertArrayEquals(file, HushFormat.toBytes(q, Storage.INT8), "an int8 model re-saves bit for bit");
                // and as float32 it writes the dequantized weights
                try (Model back = HushFormat.fromBytes(HushFormat.toBytes(q, Storage.FLOAT32), "back.hush")) {
                    assertArrayEquals(((KernelLayer) q.nodes().get(4).layer()).kernel().values(),
                            back.nodes().get(4).layer().params().get(0).value.toArray());
                }
            }
        }
    }

    @Test
    void batchNormFoldsIntoTheChannelScales() throws Exception {
        try (Model m = Model.builder(9, 9, 3).seed(4)
                .add(new Conv2D(16, 3, Activation.LINEAR)).add(new BatchNorm2D()).add(new io.hush.engine.layers.ActivationLayer(Activation.RELU))
                .add(new Conv2D(16, 3, Activation.LINEAR)).add(new BatchNorm2D())
                .add(new Conv2D(3, 3)).build()) {
            SplittableRandom r = new SplittableRandom(8);
            for (Param p : m.params()) {
                if (p.value.shape().rank() != 1) continue;
                float[] v = p.value.toArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] = p.name.contains("variance") ? 0.5f + (float) r.nextDouble() : p.name.contains("gamma")
                            ? (float) r.nextGaussian() : (float) r.nextGaussian() * 0.3f;
                }
                p.value.copyFrom(v);
            }
            try (Model q = HushFormat.fromBytes(HushFormat.toBytes(m, Storage.INT8), "bn.hush"); Model f = FoldBatchNorm.fold(q)) {
                assertEquals(2, FoldBatchNorm.foldablePairs(q));
                for (var n : f.nodes()) {
                    if (n.layer() instanceof Conv2D c) assertNotNull(c.kernel().int8, c + " stays int8 after folding");
                }
                Shape in = Shape.of(2, 9, 9, 3);
                try (Arena a = Arena.ofShared()) {
                    Tensor xt = Tensor.of(a, input(in.size()), in.dims());
                    float[] want = q.forward(xt).toArray(), got = f.forward(xt).toArray();
                    for (int i = 0; i < got.length; i++) {
                        assertEquals(want[i], got[i], 1e-4 * Math.max(1, Math.abs(want[i])), "element " + i);
                    }
                }
            }
        }
    }

    @Test
    void anInt8ModelRefusesToTrain() throws Exception {
        try (Model m = net(); Model q = HushFormat.fromBytes(HushFormat.toBytes(m, Storage.INT8), "t.hush");
             Arena a = Arena.ofShared()) {
            Tensor x = Tensor.of(a, input(64), 1, 8, 8, 1);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> q.forward(x, true));
            assertTrue(e.getMessage().contains("keeps its kernel as int8: it runs inference only"), e.getMessage());
        }
    }

    @Test
    void aTruncatedInt8TensorIsRefusedBeforeAllocating() throws Exception {
        try (Model m = Model.builder(Shape.of(6)).add(new Dense(5)).build()) {
            HushModel enc = ModelEncoder.encode(m, Storage.INT8, Instant.EPOCH, "t");
            HushModel.Builder b = enc.toBuilder();
            io.hush.engine.io.proto.Tensor t = b.getNodes(0).getParams(0);
            b.setNodes(0, b.getNodes(0).toBuilder().setParams(0, t.toBuilder().setData(t.getData().substring(1))));
            ModelFormatException e = assertThrows(ModelFormatException.class,
                    () -> HushFormat.fromBytes(HushFormat.container(b.build().toByteArray(), 1), "cut.hush"));
            assertTrue(e.getMessage().contains("49 bytes of data, but dims [6, 5] of INT8_CHANNEL need 50"), e.getMessage());
        }
    }
}
