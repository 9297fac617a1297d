package io.hush.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.hush.train.Architectures;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Peer of {@link SeedTrainBench}: one training step of the seed network in PyTorch 2.7.1 through DJL 0.34 (offline):
 * batch 128, L2 (MSE) loss, Adam lr 1e-3 — forward under a gradient collector, loss, backward, optimiser step.
 * Intra-op threads = {@code threads}. {@code gflop} as in SeedTrainBench. Built only with {@code -Ppeers}.
 */
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx6g",
        "-Dai.djl.offline=true"})
public class PeerTorchTrainBench extends ModelSuiteBench {
    ai.djl.Model model;
    Trainer trainer;
    NDArray x, y;
    double gflopPerStep;

    @Setup(Level.Trial)
    public void setup() {
        PeerTorchBench.engine(threads);
        try (io.hush.engine.Model m = Architectures.seed(42)) {
            gflopPerStep = 3 * m.flops(m.inputShape()) * (double) SeedTrainBench.BATCH * 1e-9;
        }
        model = ai.djl.Model.newInstance("seed", Device.cpu(), "PyTorch");
        model.setBlock(PeerTorchBench.seedBlock());
        trainer = model.newTrainer(new DefaultTrainingConfig(Loss.l2Loss())
                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build()));
        Shape in = new Shape(SeedTrainBench.BATCH, 1, 28, 28);
        trainer.initialize(in);
        NDManager m = trainer.getManager();
        x = m.create(ModelBench.inputData(in.size(), 7), in);
        y = m.create(ModelBench.inputData(in.size(), 8), in);
        threadState();
        step(new ModelBench.Flops());
    }

    @Setup(Level.Iteration)
    public void threadState() {
        JniUtils.setNumThreads(threads); // per thread in libtorch (OpenMP): set it on the benchmark thread
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        trainer.close();
        model.close();
    }

    @Benchmark
    public float step(ModelBench.Flops f) {
        float l;
        try (NDManager step = trainer.getManager().newSubManager()) {
            x.tempAttach(step);
            y.tempAttach(step);
            try (GradientCollector gc = trainer.newGradientCollector()) {
                NDList pred = trainer.forward(new NDList(x));
                NDArray loss = trainer.getLoss().evaluate(new NDList(y), pred);
                gc.backward(loss);
                l = loss.getFloat();
            }
            trainer.step();
        }
        f.gflop += gflopPerStep;
        return l;
    }
}
