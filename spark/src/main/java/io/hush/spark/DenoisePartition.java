package io.hush.spark;

import io.hush.classic.NoiseEstimator;
import io.hush.denoise.DenoiseOptions;
import io.hush.denoise.ModelDenoiser;
import io.hush.image.FloatImage;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.util.Iterator;
import java.util.Locale;

/**
 * The executor side of {@link HushSpark#denoise}: rows {@code (path, content)} of a {@code binaryFile} dataset to
 * rows of {@link HushSpark#RESULT_SCHEMA}. The task ships only the model's broadcast handle and hash; the model
 * itself comes from {@link ExecutorModels}, loaded once per JVM. Every per-file problem (not an image, truncated,
 * too large, a size a fixed-size model refuses, a failure while denoising) becomes an error row; only a model that
 * cannot be loaded fails the task.
 */
final class DenoisePartition implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final Broadcast<byte[]> model;
    private final String sha256;
    private final BatchOptions options;
    private final int pathIndex, contentIndex;

    DenoisePartition(Broadcast<byte[]> model, String sha256, BatchOptions options, int pathIndex, int contentIndex) {
        this.model = model;
        this.sha256 = sha256;
        this.options = options;
        this.pathIndex = pathIndex;
        this.contentIndex = contentIndex;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        ModelDenoiser d = ExecutorModels.get(sha256, model::value);
        if (options.threadsPerTask() == 1) {
            return new Iterator<>() {
                @Override public boolean hasNext() { return rows.hasNext(); }

                @Override public Row next() {
                    Row r = rows.next();
                    return denoise(d, r.getString(pathIndex), r.isNullAt(contentIndex) ? null : r.getAs(contentIndex));
                }
            };
        }
        OrderedParallel<Row, Row> it = new OrderedParallel<>(rows, r -> denoise(d, r.getString(pathIndex),
                r.isNullAt(contentIndex) ? null : r.getAs(contentIndex)), options.threadsPerTask());
        TaskContext task = TaskContext.get();
        if (task != null) task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> it.close());
        return it;
    }

    /** One file's result row; never throws for a problem with the file itself. */
    Row denoise(ModelDenoiser d, String path, byte[] content) {
        if (content == null) return error(path, "no content (the binaryFile dataset must keep its 'content' column)");
        if (content.length == 0) return error(path, "empty file");
        ImageBytes.Decoded dec = ImageBytes.decode(content, fileName(path), options.maxPixels());
        if (dec.problem() != null) return error(path, dec.problem());
        FloatImage img = dec.photo().image();
        try {
            float s01 = !Float.isNaN(options.sigma()) ? options.sigma() / 255f : d.usesSigma() ? estimateSigma(img) : 0f;
            DenoiseOptions o = options.forImage(s01);
            String refusal = d.refusal(img, o);
            if (refusal != null) return error(path, refusal);
            int w = img.width(), h = img.height(), depth = img.bitDepth();
            FloatImage out = d.denoise(img, o);
            byte[] png = ImageBytes.png(out, depth, dec.photo().metadata());
            return RowFactory.create(path, w, h, out.channels() + (out.hasAlpha() ? 1 : 0), png, null);
        } catch (IllegalArgumentException e) {
            return error(path, oneLine(e.getMessage()));
        } catch (OutOfMemoryError e) {
            return error(path, "out of memory (" + e.getMessage() + "): give executors more memory"
                    + " (spark.executor.memory) or use a smaller tile");
        } catch (RuntimeException e) {
            // A bug on one image: report it with the others, as hush denoise does, and go on.
            return error(path, "internal error: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + oneLine(e.getMessage())));
        }
    }

    /** Noise sigma in [0,1] units from the finest wavelet band, averaged over the colour planes (as hush denoise). */
    static float estimateSigma(FloatImage img) {
        if (img.width() < 2 || img.height() < 2) return 0f;
        double s = 0;
        for (int c = 0; c < img.channels(); c++) s += NoiseEstimator.sigma(img.plane(c), img.height(), img.width());
        return (float) (s / img.channels());
    }

    static Row error(String path, String problem) {
        return RowFactory.create(path, null, null, null, null, problem);
    }

    /** The last component of a path or URI. */
    static String fileName(String path) {
        int slash = path.lastIndexOf('/');
        return slash >= 0 ? path.substring(slash + 1) : path;
    }

    static String oneLine(String s) {
        if (s == null || s.isBlank()) return "(no message)";
        String t = s.strip().replaceAll("\\s*\\R\\s*", "; ");
        return t.length() > 400 ? t.substring(0, 400) + "..." : t;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "DenoisePartition[model %s, %s]", sha256.substring(0, 12), options);
    }
}
