package io.warmpool.pool;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A separate {@code java} process (launched, not forked) running a {@code main} of the test classes,
 * for what must not happen in the test JVM: a crash, or a lowered resource limit. It runs in a
 * temporary directory of its own, which holds its crash report ({@code -XX:ErrorFile}), any core
 * file and JNA's extracted library, and which {@link #close()} deletes.
 */
public final class ChildJvm implements AutoCloseable {
    private final Path directory;
    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final List<String> lines = new ArrayList<>();

    private ChildJvm(Path directory, Process process) {
        this.directory = directory;
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /**
     * Starts {@code java mainClass args} with the test class path; {@code prefix} (such as
     * {@code prlimit --as=N}) runs the JVM. Standard error goes with standard output.
     */
    public static ChildJvm start(List<String> prefix, Class<?> mainClass, String... args) {
        try {
            Path directory = Files.createTempDirectory("warmpool-child-");
            List<String> command = new ArrayList<>(prefix);
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(List.of("-Xmx64m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData",
                    "-XX:ErrorFile=" + directory.resolve("hs_err_pid%p.log"), "-Djna.tmpdir=" + directory,
                    "-cp", testClassPath(), mainClass.getName()));
            command.addAll(List.of(args));
            Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
            return new ChildJvm(directory, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a child JVM", e);
        }
    }

    /** The class path of the test JVM: surefire's own property, else {@code java.class.path}. */
    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    public long pid() {
        return process.pid();
    }

    /** The next line of output that starts with {@code prefix}; fails with all output so far if the child ends first. */
    public String awaitLine(String prefix) throws IOException {
        for (String line; (line = out.readLine()) != null; ) {
            lines.add(line);
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new AssertionError("the child ended without printing '" + prefix + "'; its output:\n" + output());
    }

    /** Writes one line to the child's standard input. */
    public void send(String line) throws IOException {
        in.write(line + "\n");
        in.flush();
    }

    /** Reads the rest of the output and waits for the child to end; returns its exit status. */
    public int awaitExit(long timeoutSeconds) throws IOException, InterruptedException {
        for (String line; (line = out.readLine()) != null; ) {
            lines.add(line);
        }
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the child did not end within " + timeoutSeconds + " s; its output:\n" + output());
        }
        return process.exitValue();
    }

    /** Everything the child printed so far. */
    public String output() {
        return String.join("\n", lines);
    }

    /** The crash reports the child wrote. */
    public List<Path> crashReports() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().startsWith("hs_err_pid")).toList();
        }
    }

    /** Ends the child if it still runs and deletes its directory. */
    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
