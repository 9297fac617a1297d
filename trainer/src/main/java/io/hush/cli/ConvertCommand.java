package io.hush.cli;

import picocli.CommandLine.Command;

@Command(name = "convert", mixinStandardHelpOptions = true, header = "(not available yet)")
final class ConvertCommand extends BaseCommand {
    @Override
    public Integer call() {
        throw new CliException("convert is not available in this build yet");
    }
}
