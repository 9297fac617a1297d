package io.hush.spark;

import io.hush.denoise.Denoiser;
import io.hush.denoise.ModelDenoiser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The models of this JVM (a Spark executor, or the driver in local mode), each loaded once and shared by every task
 * and thread that asks for it. Keyed by the SHA-256 of the model file's bytes, so the bytes are read from the
 * broadcast only by the first task that needs the model; later tasks and later jobs with the same model reuse it.
 *
 * <p>Why sharing is safe: a {@link ModelDenoiser} is thread-safe and gives every concurrent caller the result a
 * serial call would, bit for bit (see {@link Denoiser}). Each model runs single-threaded per call
 * ({@code threads(1)}): the parallelism comes from Spark's tasks and {@link BatchOptions#threadsPerTask}, each caller
 * computing on its own thread.
 *
 * <p>Models are kept until the JVM exits (a few MB each; an executor rarely sees more than one). {@link #loads}
 * counts the loads, for tests and logs.
 */
public final class ExecutorModels {
    private static final Map<String, ModelDenoiser> MODELS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> LOADS = new ConcurrentHashMap<>();
    private static final AtomicInteger TOTAL = new AtomicInteger();
    /** Spark's logging (SLF4J): one INFO line per load, in the executor's log. */
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ExecutorModels.class);

    private ExecutorModels() {}

    /**
     * The model whose bytes hash to {@code sha256}, loading it from {@code bytes} (called at most once per JVM for a
     * hash, unless that load failed) for inference. A model that cannot be loaded throws an
     * {@link IllegalArgumentException} naming the problem (every image would fail the same way, so the task fails
     * rather than reporting each file).
     */
    public static ModelDenoiser get(String sha256, Supplier<byte[]> bytes) {
        return MODELS.computeIfAbsent(sha256, h -> load(h, bytes.get()));
    }

    private static ModelDenoiser load(String sha256, byte[] bytes) {
        String actual = sha256(bytes);
        if (!actual.equals(sha256)) {
            throw new IllegalStateException("model bytes hash to " + actual + ", expected " + sha256);
        }
        ModelDenoiser d;
        try {
            d = Denoiser.open(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("model: " + e.getMessage(), e);
        }
        // One thread per call: concurrent callers (tasks, threadsPerTask) each compute on their own thread.
        d.model().threads(1);
        int n = LOADS.computeIfAbsent(sha256, h -> new AtomicInteger()).incrementAndGet();
        TOTAL.incrementAndGet();
        LOG.info("loaded model {} ({} bytes) for inference in JVM {} (load {} of this model here)",
                sha256.substring(0, 12), bytes.length, ProcessHandle.current().pid(), n);
        return d;
    }

    /** How many times the model with this hash has been loaded in this JVM (0 if never). */
    public static int loads(String sha256) {
        AtomicInteger n = LOADS.get(sha256);
        return n == null ? 0 : n.get();
    }

    /** Model loads in this JVM, all models together. */
    public static int loads() { return TOTAL.get(); }

    /** Lower-case hex SHA-256 of {@code bytes}: the key of a model. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }
}
