package io.hush.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The {@code hush} command line: {@code demo}, {@code denoise}, {@code noise}, {@code eval}, {@code info},
 * {@code convert}, {@code train}, {@code benchmark}. Run it through the {@code ./hush} launcher at the repository
 * root, which finds a JDK 25, builds {@code trainer/target/hush.jar} when needed and adds the JVM flags.
 *
 * <p>Exit codes: 0 success, 1 a command failed (bad input file, model problem...; one line per problem on stderr,
 * no stack trace unless {@code HUSH_DEBUG=1}), 2 bad command-line usage.
 */
@Command(name = "hush",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Hush: pure-Java image denoising (engine, trainer and tools).",
        description = {"Denoise images with a trained model or a classical filter, add synthetic noise, evaluate "
                + "denoisers, inspect and convert models (.hush, .onnx, .keras, .h5) and train new ones.",
                "",
                "Start with: hush demo"},
        commandListHeading = "%nCommands:%n",
        footer = {"", "Run 'hush COMMAND --help' for the options of a command.",
                "The ./hush launcher also runs 'hush spark-denoise' (batch denoising on Apache Spark, built on first use).",
                "Exit codes: 0 success, 1 failure (one line per problem on stderr), 2 bad usage.",
                "Set HUSH_DEBUG=1 to see stack traces."},
        subcommands = {
                DemoCommand.class,
                DenoiseCommand.class,
                NoiseCommand.class,
                EvalCommand.class,
                InfoCommand.class,
                ConvertCommand.class,
                TrainCommand.class,
                BenchmarkCommand.class,
        })
public final class Main implements java.util.concurrent.Callable<Integer> {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT,
            description = "Print only errors and the final result lines (no progress, no chatter).")
    boolean quiet;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** No command given: the overview on stderr, and exit code 2 (nothing was done). */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return EXIT_USAGE;
    }

    /** True when run from {@link #main} on a terminal: progress bars are drawn (never in tests or pipes). */
    static volatile boolean interactive;

    public static void main(String[] args) {
        Locale.setDefault(Locale.ROOT);
        java.io.Console console = System.console();
        interactive = console != null && console.isTerminal();
        System.exit(commandLine().execute(args));
    }

    /** A configured command line; tests call {@code execute} on it with their own out/err writers. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(Main::handle);
        cl.setParameterExceptionHandler(Main::handleUsage);
        return cl;
    }

    /** Execution failures: one line on stderr, exit code from the exception. */
    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        int code = e instanceof CliException ce ? ce.exitCode() : EXIT_FAILURE;
        err.println(prefix(cl) + message(e));
        if (debug()) e.printStackTrace(err);
        err.flush();
        return code;
    }

    /** Usage errors: the problem and a pointer to --help (not the whole usage text). */
    private static int handleUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(prefix(cl) + oneLine(e.getMessage()));
        err.println("Try 'hush " + (cl.getParent() == null ? "" : cl.getCommandName() + " ") + "--help' for more information.");
        if (debug()) e.printStackTrace(err);
        err.flush();
        return EXIT_USAGE;
    }

    /** "hush denoise: " for a subcommand, "hush: " for the top level. */
    static String prefix(CommandLine cl) {
        return cl.getParent() == null ? "hush: " : "hush " + cl.getCommandName() + ": ";
    }

    static boolean debug() {
        String d = System.getenv("HUSH_DEBUG");
        return d != null && !d.isEmpty() && !d.equals("0");
    }

    /** A one-line description of a failure: the user-facing message, or the exception type for a bug. */
    static String message(Throwable e) {
        if (e instanceof CliException) return oneLine(e.getMessage());
        if (e instanceof java.io.IOException || e instanceof IllegalArgumentException) {
            String m = e.getMessage();
            if (m != null && !m.isBlank()) return oneLine(m);
        }
        if (e instanceof OutOfMemoryError) {
            return "out of memory (" + oneLine(String.valueOf(e.getMessage()))
                    + "); use smaller --tile or a larger heap (JAVA_OPTS=-Xmx8g ./hush ...)";
        }
        String m = e.getMessage();
        return "internal error: " + e.getClass().getSimpleName() + (m == null ? "" : ": " + oneLine(m))
                + " (HUSH_DEBUG=1 shows the stack trace)";
    }

    static String oneLine(String s) {
        if (s == null) return "";
        String t = s.strip().replaceAll("\\s*\\R\\s*", "; ");
        return t.length() > 400 ? t.substring(0, 400) + "..." : t;
    }

    /** {@code --version}: the jar's version and the JVM. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"hush " + (v == null ? "(development build)" : v),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ", "
                            + System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " cores)"};
        }
    }
}
