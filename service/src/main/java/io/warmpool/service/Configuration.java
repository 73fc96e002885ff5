package io.warmpool.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The values of a command's configuration keys and where each came from. Later sources win:
 *
 * <pre>
 *  the key's default  <  the file (--config FILE, else $WARMPOOL_CONFIG)  <  environment (WARMPOOL_POOL_MEMORIES=8)
 *                     <  flags (--pool.memories 8)
 * </pre>
 *
 * The file holds {@code key = value} lines; {@code #} starts a comment line. An unknown key in
 * the file, an unknown {@code WARMPOOL_*} variable or an unknown flag stops the command with a
 * {@link UsageException} that names it and the nearest known key; so does a value that does not
 * parse, with the key, the text and its source. The variables Kubernetes derives from a Service
 * named {@code warmpool} or {@code warmpool-*} ({@link ServiceLinks}) are passed over, and listed
 * by {@link #passedOver()}.
 */
public final class Configuration {
    /** The environment variable naming the configuration file when {@code --config} does not. */
    public static final String FILE_VARIABLE = "WARMPOOL_CONFIG";
    /** Variables with the prefix that are not keys: the file, and the launcher's JVM options and build switch. */
    static final Set<String> NOT_KEYS = Set.of(FILE_VARIABLE, "WARMPOOL_JAVA_OPTS", "WARMPOOL_NO_BUILD");

    private final String command;
    private final boolean strict;
    private final Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();
    private final Map<String, String> texts = new LinkedHashMap<>();
    private final Map<String, String> origins = new LinkedHashMap<>();
    private final List<String> passedOver = new ArrayList<>();

    private Configuration(String command, Collection<ConfigKey<?>> keys, boolean strict) {
        this.command = command;
        this.strict = strict;
        for (ConfigKey<?> key : keys) {
            this.keys.put(key.name(), key);
            texts.put(key.name(), key.defaultText());
            origins.put(key.name(), "default");
        }
    }

    /**
     * Reads every source in order of precedence.
     *
     * @param command the command, for messages
     * @param keys    every key the command knows
     * @param file    the file named by {@code --config}, or null to use {@code $WARMPOOL_CONFIG} (or none)
     * @param env     the environment
     * @param flags   flag names (without dashes) and values, each a key
     * @throws UsageException naming an unknown key, a missing file, or a line that is not {@code key = value}
     */
    public static Configuration load(String command, Collection<ConfigKey<?>> keys, Path file, Map<String, String> env,
                                     Map<String, String> flags) {
        return load(command, keys, file, env, flags, true);
    }

    /**
     * Reads {@code keys} from every source, and passes over the keys of the file and the environment
     * that are not among them (they are another command's).
     */
    public static Configuration loadSome(String command, Collection<ConfigKey<?>> keys, Path file, Map<String, String> env,
                                         Map<String, String> flags) {
        return load(command, keys, file, env, flags, false);
    }

    private static Configuration load(String command, Collection<ConfigKey<?>> keys, Path file, Map<String, String> env,
                                      Map<String, String> flags, boolean strict) {
        Configuration config = new Configuration(command, keys, strict);
        Path path = file != null ? file : env.containsKey(FILE_VARIABLE) ? Path.of(env.get(FILE_VARIABLE)) : null;
        if (path != null) {
            config.readFile(path, file != null ? "--config" : "$" + FILE_VARIABLE);
        }
        config.readEnvironment(env);
        flags.forEach((name, value) -> config.set(name, value, "flag --" + name));
        return config;
    }

    private void readFile(Path path, String namedBy) {
        List<String> lines;
        try {
            lines = Files.readAllLines(path);
        } catch (NoSuchFileException e) {
            throw new UsageException(command + ": configuration file " + path + " (from " + namedBy + ") does not exist");
        } catch (IOException e) {
            throw new UsageException(command + ": cannot read configuration file " + path + ": " + e.getMessage());
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            String where = path + ":" + (i + 1);
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new UsageException(command + ": " + where + ": expected 'key = value', found '" + line + "'");
            }
            set(line.substring(0, eq).strip(), line.substring(eq + 1).strip(), where);
        }
    }

    private void readEnvironment(Map<String, String> env) {
        Map<String, String> byVariable = new LinkedHashMap<>();
        for (ConfigKey<?> key : keys.values()) {
            byVariable.put(key.envName(), key.name());
        }
        env.entrySet().stream().filter(e -> e.getKey().startsWith("WARMPOOL_") && !NOT_KEYS.contains(e.getKey()))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> {
                    if (ServiceLinks.isServiceLink(e.getKey(), e.getValue())) {
                        passedOver.add(e.getKey());
                        return;
                    }
                    String name = byVariable.get(e.getKey());
                    if (name == null && !strict) {
                        return;
                    }
                    if (name == null) {
                        throw new UsageException(command + ": unknown environment variable " + e.getKey()
                                + suggestion(e.getKey(), byVariable.keySet()) + " (see warmpool " + command + " --help)");
                    }
                    set(name, e.getValue(), "environment variable " + e.getKey());
                });
    }

    private void set(String name, String text, String origin) {
        if (!keys.containsKey(name) && !strict) {
            return;
        }
        if (!keys.containsKey(name)) {
            throw new UsageException(command + ": " + origin + ": unknown key " + name + suggestion(name, keys.keySet())
                    + " (see warmpool " + command + " --help)");
        }
        texts.put(name, text);
        origins.put(name, origin);
    }

    /**
     * The value of {@code key}.
     *
     * @throws UsageException naming the key, its text and its source when the text does not parse
     */
    public <T> T get(ConfigKey<T> key) {
        String text = text(key);
        try {
            return key.parse(text);
        } catch (IllegalArgumentException e) {
            throw invalid(key, e.getMessage());
        }
    }

    /** The text of {@code key}'s value. */
    public String text(ConfigKey<?> key) {
        if (!keys.containsKey(key.name())) {
            throw new IllegalArgumentException(key.name() + " is not a key of " + command);
        }
        return texts.get(key.name());
    }

    /** Where {@code key}'s value came from: "default", "flag --x", "environment variable X" or "FILE:LINE". */
    public String origin(ConfigKey<?> key) {
        return origins.get(key.name());
    }

    /** The {@code WARMPOOL_*} variables that Kubernetes set for its Services, which were passed over, in order. */
    public List<String> passedOver() {
        return List.copyOf(passedOver);
    }

    /** "key = text (origin)" for each key whose value is not its default's, in key order. */
    public List<String> changedFromDefaults() {
        List<String> out = new ArrayList<>();
        origins.forEach((name, origin) -> {
            if (!origin.equals("default")) {
                out.add(name + " = " + texts.get(name) + " (" + origin + ")");
            }
        });
        return out;
    }

    /** A {@link UsageException} that says {@code key}'s value is wrong, naming it, its text and its source. */
    public UsageException invalid(ConfigKey<?> key, String why) {
        return new UsageException(command + ": " + key.name() + " = '" + text(key) + "' (" + origin(key) + "): " + why);
    }

    /** " (did you mean X?)" for the known name nearest to {@code name}, or "" when none is near. */
    static String suggestion(String name, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = editDistance(name, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(2, name.length() / 4) ? " (did you mean " + best + "?)" : "";
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
