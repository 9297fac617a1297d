package io.hush.cli;

import picocli.CommandLine.Command;

@Command(name = "train", mixinStandardHelpOptions = true, header = "(not available yet)")
final class TrainCommand extends BaseCommand {
    @Override
    public Integer call() {
        throw new CliException("train is not available in this build yet");
    }
}
