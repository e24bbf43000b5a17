package org.flinkla.cli;

/** Placeholder until its issue lands. */
final class ProduceCommand {
    private ProduceCommand() {}

    static int run(String[] args) {
        System.err.println("produce: not implemented yet");
        return 2;
    }
}
