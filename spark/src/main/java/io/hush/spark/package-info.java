/**
 * Hush on Apache Spark: batch denoising of image archives on a cluster.
 *
 * <ul>
 *   <li>{@link io.hush.spark.HushSpark#denoise}: a {@code binaryFile} dataset in, a dataset of
 *       {@code (path, width, height, channels, png, error)} out; the model broadcast once and loaded once per
 *       executor JVM ({@link io.hush.spark.ExecutorModels}); per-file failures become error rows.</li>
 *   <li>{@link io.hush.spark.ArchiveJob}: folders, globs or URIs in, PNG files and {@code _errors.csv} out, written
 *       by the executors through Hadoop's file systems.</li>
 *   <li>{@link io.hush.spark.SparkDenoiseMain}: {@code hush spark-denoise}, for the {@code ./hush} launcher and
 *       {@code spark-submit}.</li>
 * </ul>
 *
 * Spark is a {@code provided} dependency: the cluster (or {@code spark/target/classpath.txt}) supplies it.
 */
package io.hush.spark;
