package io.warmpool.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The flags of one command: {@code --name value}, {@code --name=value}, or {@code --switch}. Each
 * command declares what it takes; anything else is a {@link UsageException} that names it.
 */
public final class Options {
    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    private Options(String command) {
        this.command = command;
    }

    /**
     * Parses {@code args} against the flags a command declares.
     *
     * @param valued   flags that take a value, without the leading dashes
     * @param switches flags that take none
     * @throws UsageException for an unknown flag or a missing value
     */
    public static Options parse(String command, List<String> args, Set<String> valued, Set<String> switches) {
        Options options = new Options(command);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || arg.equals("--")) {
                options.positional.add(arg);
                continue;
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (switches.contains(name)) {
                if (value != null) {
                    throw new UsageException(command + ": --" + name + " takes no value");
                }
                options.values.put(name, "true");
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException(command + ": --" + name + " needs a value");
                    }
                    value = args.get(++i);
                }
                options.values.put(name, value);
            } else {
                throw new UsageException(command + ": unknown option --" + name + " (see warmpool " + command + " --help)");
            }
        }
        return options;
    }

    /** Whether a switch was given (or a valued flag was). */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** The value of a flag, or {@code fallback}. */
    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /**
     * A duration as every command reads one ({@code 500ms}, {@code 10s}; a bare number is seconds), in
     * nanoseconds: the flag's value, or {@code fallback}.
     *
     * @throws UsageException naming the flag and its value when it is no duration
     */
    public long durationNanos(String flag, String fallback) {
        String text = get(flag, fallback);
        try {
            return ConfigKey.parseDuration(text).toNanos();
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new UsageException(command + ": --" + flag + " '" + text + "': " + e.getMessage());
        }
    }

    /**
     * The flag that gives the setting {@code key}: {@code key} itself, or its old name {@code old}
     * (with a one-line notice on standard error); null when neither is given.
     *
     * @throws UsageException when both are given
     */
    public String renamed(String old, String key) {
        if (has(old)) {
            if (has(key)) {
                throw new UsageException(command + ": --" + old + " is the old name of --" + key + ": give one");
            }
            System.err.println(command + ": --" + old + " is deprecated: use --" + key);
            return old;
        }
        return has(key) ? key : null;
    }

    /** Every flag given, in order. */
    public Map<String, String> all() {
        return values;
    }

    /** Arguments that are not flags. */
    public List<String> positional() {
        return positional;
    }
}
