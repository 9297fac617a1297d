package io.hush.cli;

import picocli.CommandLine.Command;

@Command(name = "benchmark", mixinStandardHelpOptions = true, header = "(not available yet)")
final class BenchmarkCommand extends BaseCommand {
    @Override
    public Integer call() {
        throw new CliException("benchmark is not available in this build yet");
    }
}
