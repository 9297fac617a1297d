package io.hush.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.hush.engine.Model;
import io.hush.engine.Shape;
import io.hush.engine.onnx.OnnxExporter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.FloatBuffer;
import java.util.Map;

/**
 * Peer of {@link ModelBench}: ONNX Runtime (CPU) running the ONNX export ({@link OnnxExporter}) of the very same Hush
 * model and weights, same input, intra-op threads = {@code threads}, one inter-op thread, sequential execution, all
 * graph optimisations. Score and {@code gflop} as in ModelBench (credited with Hush's FLOP count). Built only with
 * {@code -Ppeers}.
 */
public class PeerOrtBench extends ModelSuiteBench {
    @Param({"seed-b1", "seed-b128", "dncnn-256", "dncnn-512", "cdncnn20-481x321", "cdncnn20-512"})
    public String net;

    OrtEnvironment env;
    OrtSession session;
    OnnxTensor input;
    Map<String, OnnxTensor> feed;
    double gflopPerCall;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        byte[] onnx;
        try (Model m = ModelBench.build(net)) {
            onnx = OnnxExporter.toBytes(m, OnnxExporter.DEFAULT_OPSET);
            gflopPerCall = ModelBench.gflopPerCall(m, net);
        }
        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(onnx, o);
        }
        Shape in = ModelBench.inputShape(net); // [N,H,W,C]; ONNX takes [N,C,H,W] (random data: same values either way)
        float[] x = ModelBench.inputData(in.size(), 7);
        input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {in.dim(0), in.dim(3), in.dim(1), in.dim(2)});
        feed = Map.of(session.getInputNames().iterator().next(), input);
        infer(new ModelBench.Flops());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        input.close();
        session.close();
    }

    @Benchmark
    public int infer(ModelBench.Flops f) throws OrtException {
        try (OrtSession.Result r = session.run(feed)) {
            f.gflop += gflopPerCall;
            return r.size();
        }
    }
}
