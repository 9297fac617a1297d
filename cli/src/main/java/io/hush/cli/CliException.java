package io.hush.cli;

/**
 * A failure the user can fix (bad file, bad option value, missing model): printed as one line without a stack
 * trace, and the command exits non-zero. The message names the file or option and the problem.
 */
public class CliException extends RuntimeException {
    private final int exitCode;

    public CliException(String message) {
        this(message, Main.EXIT_FAILURE);
    }

    public CliException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
        this.exitCode = Main.EXIT_FAILURE;
    }

    public int exitCode() { return exitCode; }
}
