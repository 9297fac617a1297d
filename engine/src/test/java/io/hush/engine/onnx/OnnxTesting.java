package io.hush.engine.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.hush.engine.Model;
import io.hush.engine.Tensor;
import io.hush.engine.golden.Npy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/** Shared helpers of the ONNX tests: fixtures, ONNX Runtime, Hush forward passes, layout conversion. */
final class OnnxTesting {
    private OnnxTesting() {}

    static final double TOL = 1e-4;

    /** A committed fixture under src/test/resources/onnx/. */
    static Path fixture(String name) {
        try {
            return Path.of(OnnxTesting.class.getResource("/onnx/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException("fixture " + name + " missing (tools/onnx/make_fixtures.py writes it)", e);
        }
    }

    static Npy npy(String name) throws IOException {
        try (InputStream in = OnnxTesting.class.getResourceAsStream("/onnx/" + name)) {
            if (in == null) throw new IOException("fixture " + name + " missing");
            return Npy.read(name, in);
        }
    }

    /** Output of ONNX Runtime (CPU, 2 threads) for one float input. */
    record Out(float[] data, long[] shape) {}

    static Out ort(byte[] model, float[] x, long... shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(2);
            try (OrtSession s = env.createSession(model, o);
                 OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                 OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), t))) {
                OnnxTensor y = (OnnxTensor) r.get(0);
                FloatBuffer fb = y.getFloatBuffer();
                float[] out = new float[fb.remaining()];
                fb.get(out);
                return new Out(out, y.getInfo().getShape());
            }
        }
    }

    /** Hush forward pass on a batched input in Hush layout. */
    static float[] hush(Model m, float[] x, int... dims) {
        try (Arena a = Arena.ofShared()) { // worker threads read it
            Tensor t = Tensor.of(a, x, dims);
            return m.forward(t).toArray();
        }
    }

    static float[] nchwToNhwc(float[] a, int n, int c, int h, int w) {
        return Layouts.transpose(a, new int[] {n, c, h, w}, 0, 2, 3, 1);
    }

    static float[] nhwcToNchw(float[] a, int n, int h, int w, int c) {
        return Layouts.transpose(a, new int[] {n, h, w, c}, 0, 3, 1, 2);
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (!(d <= m)) m = d; // NaN propagates as the maximum
        }
        return m;
    }

    static float[] uniform(long seed, int n, float lo, float hi) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return v;
    }
}
