package org.flinkla.cli;

/** Placeholder until its issue lands. */
final class TailCommand {
    private TailCommand() {}

    static int run(String[] args) {
        System.err.println("tail: not implemented yet");
        return 2;
    }
}
