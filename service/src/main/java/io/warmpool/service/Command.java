package io.warmpool.service;

import java.io.PrintStream;
import java.util.List;

/** One subcommand of {@code warmpool}. */
public interface Command {
    /** The name on the command line, such as {@code "probe"}. */
    String name();

    /** One line for the list of commands. */
    String summary();

    /** The whole help text of the command. */
    String help();

    /**
     * Runs the command.
     *
     * @return the exit status
     * @throws UsageException for a bad command line
     */
    int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
}
