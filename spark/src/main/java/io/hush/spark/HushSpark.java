package io.hush.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Hush on Apache Spark: denoise a {@code binaryFile} dataset of image files on a cluster.
 *
 * <pre>{@code
 * Dataset<Row> files = HushSpark.readImages(spark, "s3a://archive/scans/");          // or spark.read().format("binaryFile")
 * byte[] model = Files.readAllBytes(Path.of("weights/gray-blind.hush"));
 * Dataset<Row> clean = HushSpark.denoise(files, model, BatchOptions.defaults());
 * clean.filter("error IS NULL").select("path", "png")...;                           // PNG bytes per file
 * clean.filter("error IS NOT NULL").select("path", "error").show(false);            // what failed, and why
 * }</pre>
 *
 * <p><b>The model</b> is broadcast once (its bytes travel to each executor once, not with every task) and loaded
 * once per executor JVM ({@link ExecutorModels}), then shared by all the tasks of that executor: Hush models are
 * thread-safe and give every concurrent caller the bits a serial call would. The same model file therefore gives
 * the same pixels on one machine ({@code hush denoise}) and on any cluster.
 *
 * <p><b>Per-file failures</b> (not an image, truncated, too large, a size a fixed-size model refuses) become rows with
 * {@code error} set and the other columns null; the job goes on. A model that cannot be loaded fails at once, on
 * the driver.
 *
 * <p><b>JVM flags.</b> The engine needs {@code --add-modules jdk.incubator.vector} on the driver and the executors
 * ({@code spark.driver.extraJavaOptions}, {@code spark.executor.extraJavaOptions}); see spark/README.md.
 */
public final class HushSpark {
    /**
     * The result of {@link #denoise}: one row per input file. {@code path} as in the input; {@code width},
     * {@code height}: the image's size (upright, after the EXIF orientation); {@code channels}: 1 gray, 2 gray+alpha,
     * 3 RGB, 4 RGBA; {@code png}: the denoised image as PNG at the input's bit depth (8 or 16) with its EXIF block and
     * ICC profile; {@code error}: null, or why this file was not denoised (then the other columns but path are null).
     */
    public static final StructType RESULT_SCHEMA = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("width", DataTypes.IntegerType, true)
            .add("height", DataTypes.IntegerType, true)
            .add("channels", DataTypes.IntegerType, true)
            .add("png", DataTypes.BinaryType, true)
            .add("error", DataTypes.StringType, true);

    /**
     * File-name filter for {@link #readImages}: the extensions {@code hush denoise} reads, in either case (Hadoop
     * glob syntax).
     */
    public static final String IMAGE_GLOB = "*.{" + String.join(",", Arrays.stream(new String[] {"png", "jpg", "jpeg",
            "tif", "tiff", "bmp", "gif", "pgm", "ppm", "pbm", "pnm"}).map(HushSpark::anyCase).toList()) + "}";

    private HushSpark() {}

    /**
     * The image files under {@code paths} (folders, searched recursively; globs; single files; any Hadoop file
     * system URI the cluster provides, such as {@code s3a://} or {@code hdfs://}) as a {@code binaryFile} dataset
     * with columns {@code path, modificationTime, length, content}. Files are kept by their extension
     * ({@link #IMAGE_GLOB}); their content is read only when a query needs it.
     */
    public static Dataset<Row> readImages(SparkSession spark, String... paths) {
        if (paths.length == 0) throw new IllegalArgumentException("no input paths");
        return spark.read().format("binaryFile")
                .option("recursiveFileLookup", "true")
                .option("pathGlobFilter", IMAGE_GLOB)
                .load(paths);
    }

    /**
     * Denoises every file of {@code binaryFiles} (a dataset with a string column {@code path} and a binary column
     * {@code content}, as Spark's {@code binaryFile} source gives) with the model whose file bytes are {@code model}
     * ({@code .hush} or {@code .onnx}, recognised by content), per {@code options}. Lazy, like any transformation:
     * nothing runs until an action. The result has {@link #RESULT_SCHEMA} and one row per input row, in the same
     * partitions.
     *
     * @throws IllegalArgumentException if the dataset lacks those columns or the model cannot be loaded (the message
     *                                  says why)
     */
    public static Dataset<Row> denoise(Dataset<Row> binaryFiles, byte[] model, BatchOptions options) {
        Objects.requireNonNull(binaryFiles, "binaryFiles");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        StructType schema = binaryFiles.schema();
        List<String> names = Arrays.asList(schema.fieldNames());
        if (!names.contains("path") || !names.contains("content")) {
            throw new IllegalArgumentException("expected a binaryFile dataset with columns path and content, got "
                    + names);
        }
        if (!(schema.apply("path").dataType() instanceof org.apache.spark.sql.types.StringType)
                || !(schema.apply("content").dataType() instanceof org.apache.spark.sql.types.BinaryType)) {
            throw new IllegalArgumentException("column path must be a string and content binary, got "
                    + schema.simpleString());
        }
        String sha256 = ExecutorModels.sha256(model);
        // Load it here first: a bad model fails now with its message instead of in every task. In local mode the
        // driver is the executor, so this is the one load the tasks reuse.
        try {
            ExecutorModels.get(sha256, () -> model);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(DenoisePartition.oneLine(e.getMessage()), e);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(binaryFiles.sparkSession().sparkContext());
        Broadcast<byte[]> shipped = jsc.broadcast(model);
        Dataset<Row> in = binaryFiles.select("path", "content");
        return in.mapPartitions(new DenoisePartition(shipped, sha256, options, 0, 1), Encoders.row(RESULT_SCHEMA));
    }

    /** "png" to "[pP][nN][gG]". */
    private static String anyCase(String ext) {
        StringBuilder b = new StringBuilder();
        for (char c : ext.toCharArray()) b.append('[').append(c).append(Character.toUpperCase(c)).append(']');
        return b.toString();
    }
}
