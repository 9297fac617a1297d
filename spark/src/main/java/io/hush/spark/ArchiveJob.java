package io.hush.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.io.IOException;
import java.io.Serial;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What {@code hush spark-denoise} does: reads image files from folders, globs or URIs through Spark's
 * {@code binaryFile} source, denoises them with {@link HushSpark#denoise}, and has the executors write each result
 * as PNG under its input's name (relative to its input folder, the extension replaced by {@code .png}) into the
 * output folder, plus {@code _errors.csv} naming every file that failed and why.
 *
 * <p>Checked on the driver before any work: the output folder is new, empty, or {@code overwrite} is set (then
 * files of the same names are replaced and the others left alone); every input exists; the output is not inside an
 * input; there is at least one image file; no two inputs would give the same output name (all but the first, in
 * path order, are reported as failed).
 */
public final class ArchiveJob {
    /** Name of the failure list in the output folder. */
    public static final String ERRORS_FILE = "_errors.csv";

    /**
     * What to do. {@code partitions}: how many Spark tasks to split the files into, by bytes and without shuffling
     * the images (fewer when a few files hold most of the bytes); null for two per core, or one per 64 files if that is
     * more.
     */
    public record Request(List<String> inputs, String output, byte[] model, BatchOptions options, Integer partitions,
                          boolean overwrite) {
        public Request {
            Objects.requireNonNull(inputs, "inputs");
            Objects.requireNonNull(output, "output");
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(options, "options");
            if (inputs.isEmpty()) throw new IllegalArgumentException("no inputs");
            if (partitions != null && partitions < 1) throw new IllegalArgumentException("partitions must be >= 1");
        }
    }

    /** One failed file: the input as the user would name it, and the reason. */
    public record Failure(String path, String reason) {}

    /**
     * The outcome: files found, denoised and failed, megapixels done, wall time of the Spark work, the output folder,
     * the first failures (at most {@link #MAX_FAILURES_KEPT}) and where all of them are listed (null if none failed).
     */
    public record Summary(long files, long denoised, long failed, double megapixels, double seconds, int partitions,
                          String output, List<Failure> someFailures, String errorsFile) {
        public double imagesPerSecond() { return seconds > 0 ? denoised / seconds : 0; }
    }

    /** A problem that stops the job before it starts (bad input, output folder in the way): one line each. */
    public static final class Refused extends RuntimeException {
        @Serial private static final long serialVersionUID = 1L;
        private final List<String> problems;

        public Refused(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() { return problems; }
    }

    /** Failures kept in {@link Summary#someFailures()} (all are in the errors file). */
    public static final int MAX_FAILURES_KEPT = 50;

    static final StructType STATUS_SCHEMA = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("output", DataTypes.StringType, true)
            .add("pixels", DataTypes.LongType, true)
            .add("error", DataTypes.StringType, true);

    private ArchiveJob() {}

    /** Runs the whole job on {@code spark}; throws {@link Refused} before doing anything if the request is not sound. */
    public static Summary run(SparkSession spark, Request r) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        try {
            ExecutorModels.get(ExecutorModels.sha256(r.model()), r::model); // a bad model fails before anything is written
        } catch (RuntimeException e) {
            throw new Refused(List.of("model: " + DenoisePartition.oneLine(e.getMessage())));
        }
        List<String> problems = new ArrayList<>();

        Path out = qualify(new Path(r.output()), conf);
        FileSystem outFs = HadoopFiles.fs(out, conf);
        if (outFs.exists(out)) {
            FileStatus st = outFs.getFileStatus(out);
            if (!st.isDirectory()) {
                problems.add(display(out.toString()) + ": is a file; the output must be a folder");
            } else if (outFs.listStatus(out).length > 0 && !r.overwrite()) {
                problems.add(display(out.toString()) + ": output folder exists and is not empty (pass --overwrite to"
                        + " replace the files of the same names)");
            }
        }

        List<String> roots = new ArrayList<>();
        for (String in : r.inputs()) {
            Path p = qualify(new Path(in), conf);
            FileSystem fs = p.getFileSystem(conf);
            FileStatus[] matched = fs.globStatus(p);
            if (matched == null || matched.length == 0) {
                problems.add(in + (isGlob(in) ? ": no file or folder matches" : ": no such file or folder"));
                continue;
            }
            String root = isGlob(in) ? globBase(p).toString()
                    : matched.length == 1 && matched[0].isDirectory() ? p.toString() : p.getParent().toString();
            roots.add(root);
            String o = out.toString();
            for (FileStatus m : matched) {
                String s = m.getPath().toString();
                if (m.isDirectory() && (o.equals(s) || o.startsWith(s.endsWith("/") ? s : s + "/"))) {
                    problems.add(display(out.toString()) + ": the output folder is inside the input " + in
                            + " (choose one outside it)");
                }
            }
        }
        if (!problems.isEmpty()) throw new Refused(problems);

        Dataset<Row> files = HushSpark.readImages(spark, r.inputs().toArray(String[]::new));
        // The listing, in the form of the 'path' column (inputFiles gives URIs: "file:///a%20b.png" for "file:/a b.png").
        String[] listed = Arrays.stream(files.inputFiles()).map(ArchiveJob::pathColumnForm).sorted().toArray(String[]::new);
        if (listed.length == 0) {
            throw new Refused(List.of(String.join(", ", r.inputs()) + ": no image files (" + extensions() + ")"));
        }

        // Two inputs with one output name (a.jpg and a.png): the first in path order wins, the others fail.
        List<Failure> driverFailures = new ArrayList<>();
        Map<String, String> byName = new HashMap<>();
        List<String> losers = new ArrayList<>();
        for (String f : listed) {
            String name = outputName(f, roots);
            String first = byName.putIfAbsent(name, f);
            if (first != null) {
                losers.add(f);
                driverFailures.add(new Failure(display(f), "its output " + name + " is also the output of " + display(first)
                        + "; rename one of them"));
            }
        }
        if (!losers.isEmpty()) files = files.filter(functions.not(functions.col("path").isin(losers.toArray())));

        int partitions = r.partitions() != null ? r.partitions()
                : Math.max(2 * spark.sparkContext().defaultParallelism(), (listed.length + 63) / 64);
        partitions = Math.min(partitions, listed.length);
        // Pack files into about `partitions` splits of equal bytes, without a shuffle of the images (the session's
        // own settings are restored afterwards).
        Map<String, String> packing = Map.of(
                "spark.sql.files.openCostInBytes", "1",
                "spark.sql.files.minPartitionNum", String.valueOf(partitions),
                "spark.sql.files.maxPartitionBytes", String.valueOf(Long.MAX_VALUE / 4));
        Map<String, String> saved = new HashMap<>();
        for (String k : packing.keySet()) {
            if (spark.conf().contains(k)) saved.put(k, spark.conf().get(k));
        }
        packing.forEach((k, v) -> spark.conf().set(k, v));

        int split = files.rdd().getNumPartitions();
        if (split > partitions) files = files.coalesce(partitions); // no shuffle: neighbouring splits merged
        outFs.mkdirs(out);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<HadoopFiles.Conf> shippedConf = jsc.broadcast(new HadoopFiles.Conf(conf));
        long t0 = System.nanoTime();
        Dataset<Row> status = HushSpark.denoise(files, r.model(), r.options())
                .mapPartitions(new WritePartition(roots, out.toString(), shippedConf), Encoders.row(STATUS_SCHEMA))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            int parts = status.rdd().getNumPartitions();
            Row counts = status.agg(functions.count("*"), functions.count("error"), functions.sum("pixels")).first();
            long done = counts.getLong(0), failed = counts.getLong(1);
            double mp = counts.isNullAt(2) ? 0 : counts.getLong(2) / 1e6;
            if (done < listed.length - losers.size()) {
                // Spark's file scan skips empty files: the listed files without a row.
                List<String> candidates = new ArrayList<>(Arrays.asList(listed));
                candidates.removeAll(new java.util.HashSet<>(losers));
                List<String> missing = spark.createDataset(candidates, Encoders.STRING()).toDF("path")
                        .except(status.select("path")).as(Encoders.STRING()).collectAsList();
                for (String m : missing) driverFailures.add(new Failure(display(m), "empty file (0 bytes)"));
                driverFailures.sort(java.util.Comparator.comparing(Failure::path));
            }

            // Failures, in path order: those found on the driver (name clashes, empty files) and the rows with an error.
            TreeMap<String, String> some = new TreeMap<>();
            for (Failure c : driverFailures) some.put(c.path(), c.reason());
            Path errors = new Path(out, ERRORS_FILE);
            long totalFailed = failed + driverFailures.size();
            if (totalFailed > 0) {
                try (FSDataOutputStream csv = outFs.create(errors, true)) {
                    csv.write("path,error\n".getBytes(StandardCharsets.UTF_8));
                    // Streamed in path order, merged with the (few, sorted) driver failures; only the first are kept.
                    Iterator<Row> it = status.filter(functions.col("error").isNotNull()).select("path", "error")
                            .orderBy("path").toLocalIterator();
                    int c = 0;
                    while (it.hasNext() || c < driverFailures.size()) {
                        Failure f;
                        if (!it.hasNext()) {
                            f = driverFailures.get(c++);
                        } else {
                            Row row = it.next();
                            f = new Failure(display(row.getString(0)), row.getString(1));
                            while (c < driverFailures.size() && driverFailures.get(c).path().compareTo(f.path()) < 0) {
                                csv.write(csvLine(driverFailures.get(c++)).getBytes(StandardCharsets.UTF_8));
                            }
                        }
                        csv.write(csvLine(f).getBytes(StandardCharsets.UTF_8));
                        if (some.size() < MAX_FAILURES_KEPT) some.put(f.path(), f.reason());
                    }
                }
            } else if (outFs.exists(errors)) {
                outFs.delete(errors, false); // a stale list from an earlier run into this folder
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<Failure> kept = some.entrySet().stream().limit(MAX_FAILURES_KEPT)
                    .map(e -> new Failure(e.getKey(), e.getValue())).toList();
            return new Summary(listed.length, done - failed, totalFailed, mp, seconds, parts, display(out.toString()),
                    kept, totalFailed > 0 ? display(errors.toString()) : null);
        } finally {
            status.unpersist();
            for (String k : packing.keySet()) {
                if (saved.containsKey(k)) spark.conf().set(k, saved.get(k));
                else spark.conf().unset(k);
            }
        }
    }

    /** One CSV record (RFC 4180: every field quoted, quotes doubled). */
    static String csvLine(Failure f) {
        return quote(f.path()) + "," + quote(f.reason()) + "\n";
    }

    private static String quote(String s) {
        return "\"" + (s == null ? "" : s.replace("\"", "\"\"")) + "\"";
    }

    /**
     * The output name of input {@code path}: relative to the longest root (input folder) that contains it, else its
     * file name; the extension replaced by {@code .png}.
     */
    static String outputName(String path, List<String> roots) {
        String best = null;
        for (String root : roots) {
            String prefix = root.endsWith("/") ? root : root + "/";
            if (path.startsWith(prefix) && (best == null || prefix.length() > best.length())) best = prefix;
        }
        String rel = best == null ? DenoisePartition.fileName(path) : path.substring(best.length());
        int slash = rel.lastIndexOf('/'), dot = rel.lastIndexOf('.');
        if (dot > slash + 1) rel = rel.substring(0, dot);
        return rel + ".png";
    }

    /** A listed file's URI ({@code file:///a%20b.png}) as Spark's {@code path} column writes it ({@code file:/a b.png}). */
    static String pathColumnForm(String uri) {
        try {
            return new Path(new java.net.URI(uri)).toString();
        } catch (java.net.URISyntaxException e) {
            return uri;
        }
    }

    /** A path as a user would write it: local files without the {@code file:} scheme. */
    static String display(String path) {
        if (path.startsWith("file:///")) return path.substring("file://".length());
        if (path.startsWith("file:/")) return path.substring("file:".length());
        return path;
    }

    static boolean isGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
    }

    /** The deepest folder of a glob without wildcards ({@code s3a://b/scans/2024/*.tif} → {@code s3a://b/scans/2024}). */
    static Path globBase(Path glob) {
        Path p = glob;
        while (p.getParent() != null && isGlob(p.toUri().getPath())) p = p.getParent();
        return p;
    }

    private static Path qualify(Path p, Configuration conf) throws IOException {
        return p.getFileSystem(conf).makeQualified(p);
    }

    private static String extensions() {
        return "png, jpg, jpeg, tif, tiff, bmp, gif, pgm, ppm, pbm, pnm";
    }

    /** Executor side: writes each denoised image to the output folder; one status row per file. */
    static final class WritePartition implements MapPartitionsFunction<Row, Row> {
        @Serial private static final long serialVersionUID = 1L;
        private final List<String> roots;
        private final String out;
        private final Broadcast<HadoopFiles.Conf> conf;

        WritePartition(List<String> roots, String out, Broadcast<HadoopFiles.Conf> conf) {
            this.roots = List.copyOf(roots);
            this.out = out;
            this.conf = conf;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            Configuration c = conf.value().get();
            Path root = new Path(out);
            return new Iterator<>() {
                @Override public boolean hasNext() { return rows.hasNext(); }

                @Override public Row next() {
                    Row r = rows.next(); // HushSpark.RESULT_SCHEMA
                    String path = r.getString(0);
                    if (!r.isNullAt(5)) return RowFactory.create(path, null, null, r.getString(5));
                    String name = outputName(path, roots);
                    Path dst = new Path(root, name);
                    try {
                        HadoopFiles.write(dst, r.getAs(4), c);
                    } catch (IOException | RuntimeException e) {
                        return RowFactory.create(path, null, null, "cannot write " + display(dst.toString()) + ": "
                                + DenoisePartition.oneLine(e.getMessage()));
                    }
                    return RowFactory.create(path, name, (long) r.getInt(1) * r.getInt(2), null);
                }
            };
        }
    }
}
