package io.hush.spark;

import io.hush.data.Images;
import io.hush.image.FloatImage;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.hush.spark.Fixtures.assertContains;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code hush spark-denoise} and {@link HushSpark#denoise} on a real Spark in {@code local[2]} (one session for the
 * class; the command line reuses it and leaves it running).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkDenoiseTest {
    private SparkSession spark;
    private byte[] model;
    private Path modelFile;
    @TempDir Path dir;

    @BeforeAll
    void start(@TempDir Path shared) throws IOException {
        spark = Fixtures.session();
        model = Fixtures.convModel(11);
        modelFile = Fixtures.saveModel(shared, model);
    }

    @AfterAll
    void stop() {
        if (spark != null) spark.stop();
    }

    /** An archive with the kinds of file hush denoise reads, in a folder and a subfolder. */
    private Path archive(Path in) throws IOException {
        Fixtures.write(in.resolve("gray.png"), Fixtures.picture(41, 37, 1, false, 8, 1));
        Fixtures.write(in.resolve("rgb.png"), Fixtures.picture(50, 33, 3, false, 8, 2));
        Fixtures.write(in.resolve("deep.png"), Fixtures.picture(35, 40, 1, false, 16, 3));
        Fixtures.write(in.resolve("sub/alpha.png"), Fixtures.picture(30, 30, 3, true, 8, 4));
        Fixtures.write(in.resolve("sub/photo.jpg"), Fixtures.picture(48, 40, 3, false, 8, 5));
        Fixtures.write(in.resolve("sub/scan.tif"), Fixtures.picture(33, 45, 1, false, 16, 6));
        return in;
    }

    @Test
    void sameResultsAsHushDenoise() throws IOException {
        Path in = archive(dir.resolve("in")), out = dir.resolve("out"), single = dir.resolve("single");
        Fixtures.Result r = Fixtures.sparkDenoise(in.toString(), "-o", out.toString(), "--model", modelFile.toString(),
                "--tile", "24", "--partitions", "3");
        assertEquals(0, r.code(), r.toString());
        assertContains(r.out(), "6 of 6 image(s) denoised", r);
        assertContains(r.out(), "3 task(s)", r);
        assertEquals(List.of("deep.png", "gray.png", "rgb.png", "sub/alpha.png", "sub/photo.png", "sub/scan.png"),
                Fixtures.files(out));

        // hush denoise, one folder at a time (it does not recurse), PNG output, the same tiling.
        for (String folder : List.of("", "sub")) {
            Path o = single.resolve(folder);
            Files.createDirectories(o);
            Fixtures.Result h = Fixtures.hushDenoise(in.resolve(folder).toString(), "-o", o.toString(), "--model",
                    modelFile.toString(), "--tile", "24", "--format", "png");
            assertEquals(0, h.code(), h.toString());
        }
        for (String name : Fixtures.files(out)) {
            FloatImage a = Images.read(out.resolve(name)), b = Images.read(single.resolve(name));
            assertEquals(b.bitDepth(), a.bitDepth(), name + ": bit depth");
            assertTrue(Fixtures.maxLevels(a, b) <= 1.0, name + ": differs by " + Fixtures.maxLevels(a, b) + " levels");
        }
        assertEquals(16, Images.read(out.resolve("deep.png")).bitDepth(), "16-bit input stays 16-bit");
        assertTrue(Images.read(out.resolve("sub/alpha.png")).hasAlpha(), "alpha kept");
    }

    @Test
    void corruptFilesAreListedAndTheOthersDone() throws IOException {
        Path in = dir.resolve("in"), out = dir.resolve("out");
        Fixtures.write(in.resolve("a.png"), Fixtures.picture(20, 20, 1, false, 8, 7));
        Fixtures.write(in.resolve("b.png"), Fixtures.picture(20, 24, 1, false, 8, 8));
        byte[] whole = Files.readAllBytes(Fixtures.write(in.resolve("c.png"), Fixtures.picture(64, 64, 3, false, 8, 9)));
        Files.write(in.resolve("truncated.png"), java.util.Arrays.copyOf(whole, whole.length / 2));
        Files.write(in.resolve("text.jpg"), "not a picture\n".getBytes(StandardCharsets.UTF_8));
        Files.write(in.resolve("empty.tif"), new byte[0]);
        javax.imageio.ImageIO.write(io.hush.image.BufferedImages.toBuffered(Fixtures.picture(20, 20, 1, false, 8, 10)),
                "bmp", in.resolve("b.bmp").toFile()); // b.png's output name
        Files.writeString(in.resolve("notes.txt"), "not an image name: skipped\n");

        Fixtures.Result r = Fixtures.sparkDenoise(in.toString(), "-o", out.toString(), "--model", modelFile.toString());
        assertEquals(1, r.code(), r.toString());
        assertContains(r.out(), "3 of 7 image(s) denoised", r);
        assertContains(r.out(), "4 failed", r);
        assertEquals(List.of("_errors.csv", "a.png", "b.png", "c.png"), Fixtures.files(out));

        List<String> csv = Files.readAllLines(out.resolve("_errors.csv"));
        assertEquals("path,error", csv.get(0));
        assertEquals(5, csv.size(), String.join("\n", csv));
        Map<String, String> reasons = new HashMap<>();
        for (String line : csv.subList(1, csv.size())) {
            String[] f = line.substring(1, line.length() - 1).split("\",\"", 2);
            reasons.put(Path.of(f[0]).getFileName().toString(), f[1]);
        }
        assertEquals(in.resolve("truncated.png").toString(),
                csv.stream().filter(l -> l.contains("truncated")).findFirst().orElseThrow().split("\",\"")[0].substring(1));
        assertContains(reasons.get("truncated.png"), "truncated", csv);
        assertContains(reasons.get("text.jpg"), "not", csv);
        assertContains(reasons.get("empty.tif"), "empty", csv);
        assertContains(reasons.get("b.png"), "b.png is also the output of", csv);
        // One line per problem on stderr, each naming the file.
        assertEquals(4, r.errLines().size(), r.toString());
        for (String name : List.of("truncated.png", "text.jpg", "empty.tif", "b.png")) {
            assertTrue(r.errLines().stream().anyMatch(l -> l.contains(in.resolve(name).toString())), name + "\n" + r);
        }
    }

    @Test
    void modelLoadedOncePerExecutor() throws Exception {
        byte[] own = Fixtures.convModel(1234); // a model no other test loads
        String sha = ExecutorModels.sha256(own);
        Path in = dir.resolve("in");
        for (int i = 0; i < 12; i++) Fixtures.write(in.resolve("p" + i + ".png"), Fixtures.picture(24, 24, 1, false, 8, i));
        AtomicInteger tasks = new AtomicInteger();
        SparkListener counter = new SparkListener() {
            @Override public void onTaskEnd(SparkListenerTaskEnd end) { tasks.incrementAndGet(); }
        };
        spark.sparkContext().addSparkListener(counter);
        try {
            assertEquals(0, ExecutorModels.loads(sha));
            Dataset<Row> files = HushSpark.readImages(spark, in.toString()).repartition(6);
            Dataset<Row> clean = HushSpark.denoise(files, own, BatchOptions.defaults().threadsPerTask(2));
            assertEquals(6, clean.rdd().getNumPartitions());
            List<Row> rows = clean.collectAsList();
            assertEquals(12, rows.size());
            for (Row row : rows) {
                assertNull(row.getAs("error"), row.toString());
                assertEquals(24, (int) row.getAs("width"));
                assertEquals(1, (int) row.getAs("channels"));
                FloatImage png = Images.readPhoto(writeTemp(row.getAs("png")), Images.DEFAULT_MAX_PIXELS).image();
                assertEquals(24, png.height());
            }
            // A second job with the same model reuses it too.
            assertEquals(12, HushSpark.denoise(files, own, BatchOptions.defaults()).count());
        } finally {
            spark.sparkContext().removeSparkListener(counter);
        }
        spark.sparkContext().listenerBus().waitUntilEmpty();
        assertTrue(tasks.get() >= 12, "at least 6 tasks per job ran, saw " + tasks.get());
        assertEquals(1, ExecutorModels.loads(sha), "one load in this JVM (driver and executor in local mode)");
    }

    private Path writeTemp(byte[] bytes) throws IOException {
        return Files.write(Files.createTempFile(dir, "row", ".png"), bytes);
    }

    @Test
    void apiGivesErrorRowsAndKeepsOrderWithThreads() throws IOException {
        Path in = dir.resolve("in");
        for (int i = 0; i < 5; i++) Fixtures.write(in.resolve("p" + i + ".png"), Fixtures.picture(20 + i, 18, 1, false, 8, i));
        Files.write(in.resolve("p9.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        Dataset<Row> files = HushSpark.readImages(spark, in.toString()).coalesce(1);
        List<Row> rows = HushSpark.denoise(files, model, BatchOptions.defaults().threadsPerTask(3))
                .collectAsList();
        List<String> paths = files.select("path").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
        assertEquals(paths, rows.stream().map(r -> r.<String>getAs("path")).toList(), "input order kept");
        for (Row r : rows) {
            boolean bad = r.<String>getAs("path").endsWith("p9.png");
            assertEquals(bad, r.getAs("error") != null, r.toString());
            if (!bad) {
                int i = Integer.parseInt(r.<String>getAs("path").replaceAll(".*p(\\d)\\.png$", "$1"));
                assertEquals(20 + i, (int) r.getAs("width"));
                assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(r.<byte[]>getAs("png"), 4));
            } else {
                assertNull(r.getAs("png"));
                assertNull(r.getAs("width"));
            }
        }
        assertEquals(HushSpark.RESULT_SCHEMA, HushSpark.denoise(files, model, BatchOptions.defaults()).schema());
    }

    @Test
    void emptyFolderIsRefused() throws IOException {
        Path in = Files.createDirectories(dir.resolve("empty")), out = dir.resolve("out");
        Fixtures.Result r = Fixtures.sparkDenoise(in.toString(), "-o", out.toString(), "--model", modelFile.toString());
        assertEquals(1, r.code(), r.toString());
        assertContains(r.err(), "no image files", r);
        assertEquals(1, r.errLines().size(), r.toString());
        assertFalse(Files.exists(out), "nothing written");

        Files.writeString(in.resolve("readme.txt"), "no pictures here");
        assertEquals(1, Fixtures.sparkDenoise(in.toString(), "-o", out.toString(), "--model", modelFile.toString()).code());

        // The API on no files: no rows, no failure.
        Dataset<Row> none = HushSpark.readImages(spark, in.toString());
        assertEquals(0, HushSpark.denoise(none, model, BatchOptions.defaults()).count());
    }

    @Test
    void existingOutputFolderNeedsOverwrite() throws IOException {
        Path in = dir.resolve("in"), out = Files.createDirectories(dir.resolve("out"));
        Fixtures.write(in.resolve("a.png"), Fixtures.picture(20, 20, 1, false, 8, 1));
        Files.writeString(out.resolve("a.png"), "old");
        Files.writeString(out.resolve("keep.txt"), "mine");
        Files.writeString(out.resolve(ArchiveJob.ERRORS_FILE), "path,error\n\"old\",\"stale\"\n");

        Fixtures.Result r = Fixtures.sparkDenoise(in.toString(), "-o", out.toString(), "--model", modelFile.toString());
        assertEquals(1, r.code(), r.toString());
        assertContains(r.err(), "exists and is not empty", r);
        assertContains(r.err(), "--overwrite", r);
        assertEquals("old", Files.readString(out.resolve("a.png")), "untouched without --overwrite");

        r = Fixtures.sparkDenoise(in.toString(), "-o", out.toString(), "--model", modelFile.toString(), "--overwrite");
        assertEquals(0, r.code(), r.toString());
        assertEquals(20, Images.read(out.resolve("a.png")).width(), "replaced");
        assertEquals("mine", Files.readString(out.resolve("keep.txt")), "other files left alone");
        assertFalse(Files.exists(out.resolve(ArchiveJob.ERRORS_FILE)), "stale error list removed");

        // An empty existing folder is fine; a file, or a folder inside the input, is not.
        Path emptyOut = Files.createDirectories(dir.resolve("fresh"));
        assertEquals(0, Fixtures.sparkDenoise(in.toString(), "-o", emptyOut.toString(), "--model",
                modelFile.toString()).code());
        Fixtures.Result inside = Fixtures.sparkDenoise(in.toString(), "-o", in.resolve("clean").toString(), "--model",
                modelFile.toString());
        assertEquals(1, inside.code(), inside.toString());
        assertContains(inside.err(), "inside the input", inside);
    }

    @Test
    void badRequestsSayWhat() throws IOException {
        Path in = dir.resolve("in");
        Fixtures.write(in.resolve("a.png"), Fixtures.picture(20, 20, 1, false, 8, 1));
        Fixtures.Result missing = Fixtures.sparkDenoise(dir.resolve("nope").toString(), "-o",
                dir.resolve("o1").toString(), "--model", modelFile.toString());
        assertEquals(1, missing.code(), missing.toString());
        assertContains(missing.err(), "nope: no such file or folder", missing);

        Fixtures.Result noModel = Fixtures.sparkDenoise(in.toString(), "-o", dir.resolve("o2").toString(), "--model",
                dir.resolve("none.hush").toString());
        assertEquals(1, noModel.code(), noModel.toString());
        assertContains(noModel.err(), "none.hush: no such file", noModel);

        Path junk = Files.writeString(dir.resolve("junk.hush"), "this is not a model");
        Fixtures.Result badModel = Fixtures.sparkDenoise(in.toString(), "-o", dir.resolve("o3").toString(), "--model",
                junk.toString());
        assertEquals(1, badModel.code(), badModel.toString());
        assertEquals(1, badModel.errLines().size(), badModel.toString());
        assertFalse(Files.exists(dir.resolve("o3").resolve("a.png")));

        Fixtures.Result usage = Fixtures.sparkDenoise(in.toString(), "-o", dir.resolve("o4").toString(),
                "--threads-per-task", "0");
        assertEquals(2, usage.code(), usage.toString());
        assertEquals(2, Fixtures.sparkDenoise(in.toString()).code(), "no -o");
        assertEquals(2, Fixtures.sparkDenoise(in.toString(), "-o", "x", "--model", "classic:nlm").code());
        Fixtures.Result yarn = Fixtures.sparkDenoise(in.toString(), "-o", dir.resolve("o5").toString(), "--model",
                modelFile.toString(), "--master", "yarn");
        assertEquals(2, yarn.code(), yarn.toString());
        assertContains(yarn.err(), "no YARN support", yarn);

        assertThrows(IllegalArgumentException.class, () -> HushSpark.denoise(
                spark.range(3).toDF(), model, BatchOptions.defaults()), "not a binaryFile dataset");
        Fixtures.Result help = Fixtures.sparkDenoise("--help");
        assertEquals(0, help.code());
        for (String flag : List.of("--output", "--master", "--model", "--partitions", "--threads-per-task",
                "--overwrite", "--ui")) {
            assertContains(help.out(), flag, help);
        }
    }
}
