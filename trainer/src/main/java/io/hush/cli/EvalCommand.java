package io.hush.cli;

import picocli.CommandLine.Command;

@Command(name = "eval", mixinStandardHelpOptions = true, header = "(not available yet)")
final class EvalCommand extends BaseCommand {
    @Override
    public Integer call() {
        throw new CliException("eval is not available in this build yet");
    }
}
