package io.warmpool.service;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code warmpool} command: {@code warmpool <command> [options]}, {@code --help} on the command
 * and on each subcommand, {@code --version}. Exit status 0 on success, 1 on failure, 2 for a bad
 * command line.
 */
public final class Main {
    private final Map<String, Command> commands = new LinkedHashMap<>();

    Main(Command... commands) {
        for (Command command : commands) {
            this.commands.put(command.name(), command);
        }
    }

    /** The commands this build has. */
    static Main standard() {
        return new Main(new ProbeCommand(), new ServeCommand(), new HealthCommand(), new BenchCommand(),
                new TuneCommand(), new WastCommand());
    }

    public static void main(String[] args) {
        System.exit(standard().run(args, System.out, System.err));
    }

    /** Runs {@code args}; returns the exit status instead of exiting. */
    int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            if (args.length > 1 && commands.containsKey(args[1])) {
                out.println(commands.get(args[1]).help());
            } else {
                out.println(help());
            }
            return args.length == 0 ? 2 : 0;
        }
        if (args[0].equals("--version")) {
            out.println(BuildInfo.current().line());
            return 0;
        }
        Command command = commands.get(args[0]);
        if (command == null) {
            err.println("warmpool: unknown command '" + args[0] + "'; commands: " + String.join(", ", commands.keySet()));
            return 2;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (rest.contains("--help") || rest.contains("-h")) {
            out.println(command.help());
            return 0;
        }
        try {
            return command.run(rest, out, err);
        } catch (UsageException e) {
            err.println("warmpool " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("warmpool " + command.name() + ": " + e);
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                err.println("  caused by: " + cause);
            }
            return 1;
        }
    }

    String help() {
        StringBuilder out = new StringBuilder();
        out.append("warmpool: pooled memory slots for short-lived instances, reset cheaply and safely\n\n");
        out.append("usage: warmpool <command> [options]\n       warmpool <command> --help\n       warmpool --version\n\ncommands:\n");
        for (Command command : commands.values()) {
            out.append(String.format("  %-8s %s%n", command.name(), command.summary()));
        }
        return out.toString().stripTrailing();
    }
}
