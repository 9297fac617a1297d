package io.hush.cli;

import io.hush.train.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * What every command shares: its output writers (picocli's, so tests capture them), {@code --quiet}, progress bars
 * and a uniform exit code. Subclasses implement {@link #call()} returning {@link Main#EXIT_OK} or failing with a
 * {@link CliException}.
 *
 * <p>The {@code @Command} here gives every command the same {@code --help} layout ({@code -h}/{@code -V}, options in
 * declaration order, the section headings); picocli applies a superclass's attributes first, so a command's own
 * {@code @Command} names it, describes it and may still set a heading of its own (as {@code noise} does for its
 * footer).
 */
@Command(mixinStandardHelpOptions = true,
        sortOptions = false,
        headerHeading = "%n",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        parameterListHeading = "%nArguments:%n",
        optionListHeading = "%nOptions:%n",
        footerHeading = "%nExamples:%n")
abstract class BaseCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandSpec spec;

    /** The --input-range option of commands that have it (null for the others). */
    InputRangeOption inputRange() { return null; }

    @CommandLine.ParentCommand
    Main main;

    PrintWriter out() { return spec.commandLine().getOut(); }

    PrintWriter err() { return spec.commandLine().getErr(); }

    boolean quiet() { return main != null && main.quiet; }

    /** A line of chatter, suppressed by --quiet. */
    void info(String format, Object... args) {
        if (quiet()) return;
        out().println(args.length == 0 ? format : String.format(Locale.ROOT, format, args));
        out().flush();
    }

    /** A result line, printed even with --quiet. */
    void result(String format, Object... args) {
        out().println(args.length == 0 ? format : String.format(Locale.ROOT, format, args));
        out().flush();
    }

    /** A warning on stderr (kept with --quiet: it may change how the result is read). */
    void warn(String format, Object... args) {
        err().println("warning: " + (args.length == 0 ? format : String.format(Locale.ROOT, format, args)));
        err().flush();
    }

    /** A progress bar on stderr when it is a terminal and the work lasts more than a second; otherwise silent. */
    ProgressBar progress(String label, long total) {
        return new ProgressBar(err(), label, total, Main.interactive && !quiet());
    }
}
