package io.hush.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the shared data folder is (MNIST/Fashion IDX files, train400, set12). Never copy these files into the repo.
 * Order: system property {@code hush.data}, environment variable {@code HUSH_DATA}, {@code ../shared/data} relative to
 * the working directory, {@code ../shared/data} relative to the repository root (the nearest parent of the working
 * directory holding {@code .git}). The first two are taken as given even if absent; the returned folder may not exist
 * (callers and tests check {@link #available}).
 */
public final class DataPaths {
    private DataPaths() {}

    public static Path root() {
        String prop = System.getProperty("hush.data");
        if (prop != null && !prop.isBlank()) return Path.of(prop).toAbsolutePath().normalize();
        String env = System.getenv("HUSH_DATA");
        if (env != null && !env.isBlank()) return Path.of(env).toAbsolutePath().normalize();
        Path cwd = Path.of("").toAbsolutePath();
        Path fromCwd = cwd.resolve("../shared/data").normalize();
        if (Files.isDirectory(fromCwd)) return fromCwd;
        for (Path p = cwd; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve(".git"))) return p.resolve("../shared/data").normalize();
        }
        return fromCwd;
    }

    /** {@code root().resolve(name)}. */
    public static Path resolve(String name) { return root().resolve(name); }

    /** True if {@code root().resolve(name)} exists (a file or a folder). */
    public static boolean available(String name) { return Files.exists(resolve(name)); }

    /**
     * Whether tests that need the shared data must fail instead of skipping when it is absent: system property
     * {@code hush.requireData=true}, which {@code .ci/run} sets so CI can never skip them silently.
     */
    public static boolean required() { return Boolean.getBoolean("hush.requireData"); }

    /**
     * For tests, before an assumption: returns {@code present}, except that absent data under {@link #required()}
     * throws an {@link AssertionError} with {@code message} (a failure, not a skip). Use as
     * {@code assumeTrue(DataPaths.check(present, msg), msg)}.
     */
    public static boolean check(boolean present, String message) {
        if (!present && required()) throw new AssertionError(message + " (hush.requireData=true: the shared data must be present; data folder " + root() + ")");
        return present;
    }
}
