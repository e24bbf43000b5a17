package org.flinkla.cli;

/** Placeholder until its issue lands. */
final class RunCommand {
    private RunCommand() {}

    static int run(String[] args) {
        System.err.println("run: not implemented yet");
        return 2;
    }
}
