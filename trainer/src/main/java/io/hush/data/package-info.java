/**
 * Data for training and evaluation, everything that does not need the neural engine.
 *
 * <ul>
 *   <li>{@link io.hush.data.IdxReader}: MNIST-style IDX files (gzip detected by magic bytes, headers checked against
 *       the file length before allocating).</li>
 *   <li>{@link io.hush.data.Images} / {@link io.hush.image.FloatImage}: decode PNG, JPEG, TIFF, BMP, GIF, PNM to float
 *       planes in [0,1] (1 or 3 channels, alpha apart, 8/16-bit depth remembered); write PNG/TIFF at 8 or 16 bits,
 *       atomically. Every failure is an {@link io.hush.data.ImageFormatException} naming the file.</li>
 *   <li>{@link io.hush.data.Dataset}, {@link io.hush.data.ImageFolder}: images in memory, seeded splits.</li>
 *   <li>{@link io.hush.data.BatchLoader}: NHWC batches of augmented ({@link io.hush.data.Augment}) patches, optional
 *       noise, deterministic from (seed, epoch, sample), made ahead by a background thread.</li>
 *   <li>{@link io.hush.data.DataPaths}: where the shared data folder is.</li>
 * </ul>
 *
 * Conventions: planes are {@code [H, W]} row-major float arrays; batches are flat {@code [N, H, W, C]}.
 */
package io.hush.data;
