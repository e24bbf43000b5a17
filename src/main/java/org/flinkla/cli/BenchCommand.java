package org.flinkla.cli;

/** Placeholder until its issue lands. */
final class BenchCommand {
    private BenchCommand() {}

    static int run(String[] args) {
        System.err.println("bench: not implemented yet");
        return 2;
    }
}
