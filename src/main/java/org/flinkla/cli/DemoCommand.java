package org.flinkla.cli;

/** Placeholder until its issue lands. */
final class DemoCommand {
    private DemoCommand() {}

    static int run(String[] args) {
        System.err.println("demo: not implemented yet");
        return 2;
    }
}
