package io.hush.cli;

import picocli.CommandLine.Command;

@Command(name = "demo", mixinStandardHelpOptions = true, header = "(not available yet)")
final class DemoCommand extends BaseCommand {
    @Override
    public Integer call() {
        throw new CliException("demo is not available in this build yet");
    }
}
