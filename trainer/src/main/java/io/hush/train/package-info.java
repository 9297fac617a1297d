/**
 * Training: losses, regularisation, optimisers, schedules and the Keras-like loop.
 *
 * <h2>API</h2>
 * <pre>{@code
 * // everything from a config (what `hush train` runs):
 * TrainConfig cfg = TrainConfig.preset("seed-mnist")          // or new TrainConfig().load(Path.of("run.conf"))
 *         .override(List.of("epochs=5", "--lr=3e-4"));         // key=value / --key=value / --key value / --flag
 * Training.Result r = Training.run(cfg);                      // r.history(), r.model(), r.runDir()
 *
 * // or by hand:
 * Model m = Architectures.seed(42);
 * try (Trainer t = Trainer.compile(m, new Adam(1e-3), Losses.parse("0.84*ssim+0.16*l1"))
 *         .residual(false).clipNorm(1.0).schedule(LrSchedule.cosine(30, 1e-5, 1))
 *         .weightRegularizer(new WeightRegularizer(0, 1e-4))
 *         .checkpoint(Path.of("runs/x/last.ckpt"), 0)) {      // .resume(file) continues a run exactly
 *     History h = t.fit(train, val, 30, new ProgressLog(), new CsvLogger(csv), new PlotCallback(dir, val, 8),
 *             new ModelCheckpoint(best, "val_psnr"), new EarlyStopping("val_loss", 5));
 * }
 * }</pre>
 *
 * <h2>Pieces</h2>
 * <ul>
 * <li>Data: {@link io.hush.train.BatchSource} hands out (noisy, clean) NHWC batches in an order that is a pure function
 *   of (seed, epoch); {@link io.hush.train.ArraySource} (in memory), {@link io.hush.train.NoisySource} (fresh
 *   io.hush.noise noise per batch from (seed, epoch, batch)), {@link io.hush.train.LoaderSource} (io.hush.data's
 *   prefetching BatchLoader).</li>
 * <li>Losses ({@code loss}): MSE, L1, BCE, 1-SSIM and 1-MS-SSIM with exact gradients, weighted sums.</li>
 * <li>Regularisation ({@code reg}): L1/L2 on kernels; KL sparsity and L1 activity penalties on one node, whose gradient
 *   enters the backward pass at that node through {@code Model.backward(gradOut, node, extraGrad)}.</li>
 * <li>Optimisers ({@code optim}): SGD (momentum, Nesterov), Adam, AdamW; SIMD, multithreaded update kernels;
 *   gradient-norm clipping; step, cosine (warm-up) and reduce-on-plateau schedules.</li>
 * <li>Checkpoints ({@code state}): one binary file (magic HUSHCKPT, CRC32, atomic write) with weights, optimiser and
 *   schedule state, callback state, history and the position in the run. A run killed and resumed from its last
 *   checkpoint ends bit-identical to an uninterrupted one (on one thread; on more as far as the kernels are
 *   thread-count independent).</li>
 * </ul>
 *
 * <h2>Residual learning</h2>
 * The network predicts the noise and the denoised image is {@code input - prediction}. Either let the trainer do it
 * ({@code Trainer.residual(true)}: it forms {@code input - output}, takes the loss on that and negates the loss
 * gradient), or put it in the graph so the saved model outputs the clean image itself:
 * <pre>{@code
 * Model.Builder b = Model.builder(40, 40, 1);
 * ... add the noise-predicting layers ...
 * int noise = b.current();
 * b.add(new Subtract(), 0, noise);   // node 0 is the input: output = input - noise
 * }</pre>
 * and train it with {@code residual(false)} ({@link io.hush.train.Architectures#dncnn(int, int, int, int, int, boolean,
 * boolean, long)} with {@code inGraphResidual = true} builds exactly this).
 */
package io.hush.train;
