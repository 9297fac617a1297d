package io.hush.spark;

import io.hush.denoise.OptionText;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.Callable;

/**
 * {@code hush spark-denoise}: denoise a folder, glob or URI of images on Apache Spark ({@link ArchiveJob}). Run it
 * through {@code ./hush spark-denoise} (local Spark or a standalone/YARN master from this machine) or with
 * {@code spark-submit --class io.hush.spark.SparkDenoiseMain hush-spark.jar} on a cluster.
 *
 * <p>Exit codes as every hush command: 0 all files denoised; 1 a failure (files that failed, one line each and all
 * in {@code _errors.csv}; or a refused request: missing input, output folder in the way, bad model); 2 bad usage.
 */
@Command(name = "hush spark-denoise",
        mixinStandardHelpOptions = true,
        versionProvider = SparkDenoiseMain.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        headerHeading = "%n",
        header = "Denoise image archives on Apache Spark.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
                "Reads the image files of folders (searched recursively), globs or URIs (hdfs://, s3a://... where the"
                        + " cluster provides them) through Spark's binaryFile source, denoises them with a model on the"
                        + " executors, and writes each result as PNG (the input's bit depth, EXIF and ICC profile kept)"
                        + " into OUT under the input's name relative to its folder, the extension replaced by .png.",
                "The model file is broadcast once and loaded once per executor JVM. The results equal"
                        + " 'hush denoise --format png' on the same files and model.",
                "A file that cannot be decoded or denoised does not stop the job: it is named, with the reason, in"
                        + " OUT/_errors.csv, and the exit code is 1. A summary (files, failures, images/s) ends the"
                        + " run."},
        parameterListHeading = "%nArguments:%n",
        optionListHeading = "%nOptions:%n",
        footerHeading = "%nExamples:%n",
        footer = {"  hush spark-denoise scans/ -o clean/ --master 'local[2]'",
                "  hush spark-denoise 'scans/box-*' -o clean/ --model my.hush --partitions 64",
                "  hush spark-denoise s3a://bucket/tiles/ -o s3a://bucket/clean/ --master yarn",
                "",
                "On a cluster: spark-submit --class io.hush.spark.SparkDenoiseMain hush-spark.jar IN -o OUT",
                "(the JVMs need --add-modules jdk.incubator.vector; see spark/README.md).",
                "",
                "Exit codes: 0 every file denoised, 1 a failure (one line per problem on stderr), 2 bad usage."})
public final class SparkDenoiseMain implements Callable<Integer> {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;
    /** Failed files printed on stderr; the rest are in _errors.csv only. */
    static final int MAX_PRINTED = 20;

    @Parameters(arity = "1..*", paramLabel = "IN",
            description = "Input: a folder (its image files, in subfolders too), a quoted glob like 'scans/*.png',"
                    + " a file, or a URI of any of these (hdfs://, s3a://, file://).")
    List<String> inputs;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
            description = "Output folder (local path or URI). Refused if it exists and is not empty, unless"
                    + " --overwrite.")
    String output;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[N] or local[*] (this JVM), spark://HOST:PORT (a standalone cluster:"
                    + " this jar is shipped to its executors); yarn and k8s through the cluster's spark-submit."
                    + " Default: the one spark-submit gives, else local[*].")
    String master;

    @Option(names = {"-m", "--model"}, paramLabel = "FILE|NAME",
            description = "Model: a .hush or .onnx file (a local path or a URI the driver can read), or a name in"
                    + " weights/ (default: gray-blind). Classical filters (classic:NAME) run only in 'hush denoise'.")
    String model;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Split the files into about N Spark tasks of equal bytes (no shuffle of the images)."
                    + " Default: twice the cores, or one task per 64 files if that is more.")
    Integer partitions;

    @Option(names = "--threads-per-task", paramLabel = "T", defaultValue = "1",
            description = "Images each task denoises at once, each on its own thread, sharing the executor's model."
                    + " Set spark.task.cpus to match on a cluster. Default: ${DEFAULT-VALUE}.")
    int threadsPerTask;

    @Option(names = "--sigma", paramLabel = "S|auto", defaultValue = "auto",
            description = "Noise standard deviation on the 0..255 scale for models with a noise-level input, or"
                    + " 'auto' to estimate it per image; blind models ignore it. Default: ${DEFAULT-VALUE}.")
    String sigma;

    @Option(names = "--tile", paramLabel = "N",
            description = "Tile side in pixels for fully-convolutional models (default: the model's, as hush"
                    + " denoise).")
    Integer tile;

    @Option(names = "--overlap", paramLabel = "M|auto", defaultValue = "auto",
            description = "Overlap between tiles in pixels, or 'auto' (4x the receptive-field radius: tiled equals"
                    + " untiled). Default: ${DEFAULT-VALUE}.")
    String overlap;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "100000000",
            description = "Refuse (as a failed file) images whose header claims more than N pixels. Default:"
                    + " ${DEFAULT-VALUE}.")
    long maxPixels;

    @Option(names = "--resize",
            description = "Let a fixed-size model take other sizes by scaling to its size and back.")
    boolean resize;

    @Option(names = "--overwrite",
            description = "Write into an existing, non-empty output folder: files of the same names are replaced,"
                    + " other files are left alone.")
    boolean overwrite;

    @Option(names = "--conf", paramLabel = "KEY=VALUE",
            description = "A Spark setting (repeatable), e.g. --conf spark.hadoop.fs.s3a.endpoint=...")
    Map<String, String> conf;

    @Option(names = "--ui",
            description = "Keep the Spark web UI on in local mode (off by default there; clusters keep theirs).")
    boolean ui;

    @Option(names = {"-q", "--quiet"}, description = "Print only problems and the summary line.")
    boolean quiet;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Entry point for {@code ./hush spark-denoise} and {@code spark-submit}. */
    public static void main(String[] args) {
        Locale.setDefault(Locale.ROOT);
        if (System.getProperty("log4j2.configurationFile") == null) {
            // Spark's ~350 INFO lines hidden (a no-op under spark-submit, which sets up logging before us).
            System.setProperty("log4j2.configurationFile", "io/hush/spark/log4j2.properties");
        }
        System.exit(commandLine().execute(args));
    }

    /** A configured command line; tests call {@code execute} on it with their own writers. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SparkDenoiseMain());
        cl.setExecutionExceptionHandler((e, c, parsed) -> {
            PrintWriter err = c.getErr();
            int code = e instanceof UsageException ? EXIT_USAGE : EXIT_FAILURE;
            if (e instanceof ArchiveJob.Refused r) {
                for (String p : r.problems()) err.println("hush spark-denoise: " + p);
            } else {
                err.println("hush spark-denoise: " + message(e));
            }
            if (debug()) e.printStackTrace(err);
            err.flush();
            return code;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("hush spark-denoise: " + DenoisePartition.oneLine(e.getMessage()));
            err.println("Try 'hush spark-denoise --help' for more information.");
            err.flush();
            return EXIT_USAGE;
        });
        return cl;
    }

    @Override
    public Integer call() throws IOException {
        BatchOptions options = options();
        String name = model == null ? "gray-blind" : model;
        if (name.toLowerCase(Locale.ROOT).startsWith("classic:")) {
            throw new UsageException("--model " + model + ": classical filters run only in 'hush denoise'; give a"
                    + " .hush or .onnx model");
        }
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        boolean ours = SparkSession.getDefaultSession().isEmpty(); // an embedding program's session is left running
        long t0 = System.nanoTime();
        SparkSession spark = session();
        double started = (System.nanoTime() - t0) / 1e9;
        try {
            byte[] bytes = readModel(name, spark.sparkContext().hadoopConfiguration());
            String sha = ExecutorModels.sha256(bytes);
            if (!quiet) {
                out.printf(Locale.ROOT, "spark: %s (Spark %s, %d task slots, session ready in %.1f s); model %s (%d bytes,"
                        + " sha256 %s...)%n", spark.sparkContext().master(), spark.version(),
                        spark.sparkContext().defaultParallelism(), started, name, bytes.length, sha.substring(0, 12));
                out.flush();
            }
            ArchiveJob.Summary s = ArchiveJob.run(spark,
                    new ArchiveJob.Request(inputs, output, bytes, options, partitions, overwrite));
            int printed = 0;
            for (ArchiveJob.Failure f : s.someFailures()) {
                if (printed++ == MAX_PRINTED) break;
                err.println("hush spark-denoise: " + f.path() + ": " + f.reason());
            }
            if (s.failed() > MAX_PRINTED) {
                err.println("hush spark-denoise: ... and " + (s.failed() - MAX_PRINTED) + " more in " + s.errorsFile());
            }
            err.flush();
            out.printf(Locale.ROOT, "%d of %d image(s) denoised into %s%s; %d task(s), %.1f s, %.2f images/s, %.2f MP/s%n",
                    s.denoised(), s.files(), s.output(), s.failed() > 0 ? ", " + s.failed() + " failed (listed in "
                            + s.errorsFile() + ")" : "", s.partitions(), s.seconds(), s.imagesPerSecond(),
                    s.seconds() > 0 ? s.megapixels() / s.seconds() : 0);
            out.flush();
            return s.failed() > 0 ? EXIT_FAILURE : EXIT_OK;
        } finally {
            if (ours) spark.stop();
        }
    }

    private BatchOptions options() {
        if (threadsPerTask < 1) throw new UsageException("--threads-per-task must be >= 1");
        if (partitions != null && partitions < 1) throw new UsageException("--partitions must be >= 1");
        if (tile != null && tile < 8) throw new UsageException("--tile must be >= 8");
        if (maxPixels < 1) throw new UsageException("--max-pixels must be >= 1");
        BatchOptions o = BatchOptions.defaults().threadsPerTask(threadsPerTask).maxPixels(maxPixels).resize(resize);
        if (tile != null) o = o.tile(tile);
        try {
            OptionalInt m = OptionText.overlap(overlap);
            if (m.isPresent()) o = o.overlap(m.getAsInt());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--overlap " + e.getMessage());
        }
        try {
            OptionalDouble s = OptionText.sigma255(sigma);
            if (s.isPresent()) o = o.sigma((float) s.getAsDouble());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--sigma " + e.getMessage());
        }
        return o;
    }

    /** The session: --master, else spark-submit's, else local[*]; no web UI in local mode unless --ui. */
    private SparkSession session() {
        SparkConf sc = new SparkConf();
        if (conf != null) conf.forEach(sc::set);
        if (master != null) sc.setMaster(master);
        else if (!sc.contains("spark.master")) sc.setMaster("local[*]");
        sc.setIfMissing("spark.app.name", "hush spark-denoise");
        String m = sc.get("spark.master");
        boolean inThisJvm = m.equals("local") || m.startsWith("local[");
        if (inThisJvm && !ui) sc.setIfMissing("spark.ui.enabled", "false");
        if (m.startsWith("local")) {
            // Everything on this machine: stay on the loopback interface.
            sc.setIfMissing("spark.driver.host", "127.0.0.1");
            sc.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        if (m.startsWith("yarn") && !onClassPath("org.apache.spark.deploy.yarn.YarnClusterManager")) {
            throw new UsageException("--master " + m + ": this class path has no YARN support (spark-yarn); submit"
                    + " hush-spark.jar with the cluster's spark-submit instead (see spark/README.md)");
        }
        // Executors start after this point, so their JVM flags can still be given here (a driver in cluster mode
        // needs them from spark-submit).
        String ex = sc.get("spark.executor.extraJavaOptions", "");
        if (!ex.contains("jdk.incubator.vector")) {
            sc.set("spark.executor.extraJavaOptions", (ex + " --add-modules jdk.incubator.vector").strip());
        }
        if (!inThisJvm && !sc.contains("spark.jars")) {
            // Started by ./hush rather than spark-submit: ship this jar to the executors.
            java.net.URL jar = SparkDenoiseMain.class.getProtectionDomain().getCodeSource().getLocation();
            if (jar != null && jar.getPath().endsWith(".jar")) sc.set("spark.jars", jar.toString());
        }
        return SparkSession.builder().config(sc).getOrCreate();
    }

    private static boolean onClassPath(String cls) {
        try {
            Class.forName(cls, false, SparkDenoiseMain.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * The model file's bytes: a local file, a URI any Hadoop file system of the driver reads, or a name looked up
     * as NAME.hush / NAME.onnx in the weights/ folder of the Hush home ({@code -Dhush.home}, set by the launcher) or
     * of the current folder.
     */
    static byte[] readModel(String spec, Configuration conf) throws IOException {
        if (spec.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:/.*")) {
            Path p = new Path(spec);
            FileSystem fs = p.getFileSystem(conf);
            if (!fs.exists(p)) throw new ArchiveJob.Refused(List.of("--model " + spec + ": no such file"));
            try (FSDataInputStream in = fs.open(p)) {
                return in.readAllBytes();
            }
        }
        java.nio.file.Path local = java.nio.file.Path.of(spec);
        if (Files.isDirectory(local)) throw new ArchiveJob.Refused(List.of("--model " + spec + ": is a folder, not a model file"));
        if (Files.isRegularFile(local)) return Files.readAllBytes(local);
        List<java.nio.file.Path> tried = new ArrayList<>();
        if (!spec.contains("/") && !spec.contains("\\")) {
            String home = System.getProperty("hush.home");
            for (String dir : home == null ? List.of("weights") : List.of(home + "/weights", "weights")) {
                for (String ext : List.of(".hush", ".onnx")) {
                    java.nio.file.Path f = java.nio.file.Path.of(dir, spec + ext);
                    tried.add(f);
                    if (Files.isRegularFile(f)) return Files.readAllBytes(f);
                }
            }
        }
        throw new ArchiveJob.Refused(List.of("--model " + spec + ": no such file" + (tried.isEmpty() ? ""
                : " (looked for " + tried.stream().map(Object::toString).distinct().reduce((a, b) -> a + ", " + b)
                .orElse("") + ")")));
    }

    static String message(Throwable e) {
        if (e instanceof UsageException || e instanceof IllegalArgumentException || e instanceof IOException) {
            return DenoisePartition.oneLine(e.getMessage());
        }
        // Spark wraps task failures: the innermost message is the one that says what went wrong.
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = root.getMessage();
        return (root == e ? "" : "Spark job failed: ") + (m == null ? root.getClass().getSimpleName()
                : DenoisePartition.oneLine(m)) + " (HUSH_DEBUG=1 shows the stack trace)";
    }

    static boolean debug() {
        String d = System.getenv("HUSH_DEBUG");
        return d != null && !d.isEmpty() && !d.equals("0");
    }

    /** A bad option value: exit code 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String m) { super(m); }
    }

    /** {@code --version}: this jar's version, Spark's and the JVM's. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SparkDenoiseMain.class.getPackage().getImplementationVersion();
            return new String[] {"hush spark-denoise " + (v == null ? "(development build)" : v),
                    "Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION(),
                    "Java " + Runtime.version()};
        }
    }
}
