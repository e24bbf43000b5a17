package org.flinkla.cli;

/** Placeholder until its issue lands. */
final class ReplayCommand {
    private ReplayCommand() {}

    static int run(String[] args) {
        System.err.println("replay: not implemented yet");
        return 2;
    }
}
