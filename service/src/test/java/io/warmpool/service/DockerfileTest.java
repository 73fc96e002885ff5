package io.warmpool.service;

import io.warmpool.metrics.MetricsServer;
import io.warmpool.metrics.Readiness;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Dockerfile, checked without a Docker engine: what it says and, for its HEALTHCHECK, what it does. */
class DockerfileTest {
    private static final Pattern HEALTHCHECK = Pattern.compile("(.*?)\\bCMD\\s+(\\[.*\\])");

    @Test
    void itRunsAsANumericUserThatIsNotRoot() throws Exception {
        String user = Dockerfile.read().last("USER");
        assertTrue(user.matches("\\d+(:\\d+)?"), "USER " + user + ": numbers, so that runAsNonRoot can check them");
        for (String id : user.split(":")) {
            assertNotEquals(0, Integer.parseInt(id), "USER " + user);
        }
    }

    @Test
    void everyBaseImageIsAnArgSoThatItCanBePinnedByDigest() throws Exception {
        Dockerfile file = Dockerfile.read();
        Map<String, String> args = file.globalArgs();
        List<String> froms = file.all("FROM");
        assertEquals(2, froms.size(), froms.toString());
        for (String from : froms) {
            Matcher m = Pattern.compile("\\$\\{(\\w+)\\}( AS \\w+)?").matcher(from);
            assertTrue(m.matches(), "FROM " + from + " names its image through an ARG");
            String image = args.get(m.group(1));
            assertTrue(image != null && image.matches("[a-z0-9./-]+:[\\w.-]+"), "ARG " + m.group(1) + " has a default tag: " + image);
        }
        assertEquals("", file.argDefault("WARMPOOL_REVISION"), "the revision is given or comes from nowhere");
        assertTrue(file.all("RUN").stream().anyMatch(r -> r.contains("-Dwarmpool.revision=\"${WARMPOOL_REVISION}\"")),
                "the build passes the revision on to Maven");
    }

    @Test
    void itRunsTheRepositorysLauncherAndServesOnThePortItExposes() throws Exception {
        Dockerfile file = Dockerfile.read();
        assertEquals(List.of("/opt/warmpool/warmpool"), Dockerfile.execForm(file.last("ENTRYPOINT")));
        assertEquals(List.of("serve"), Dockerfile.execForm(file.last("CMD")));
        List<String> copies = new ArrayList<>();
        for (String copy : file.all("COPY")) {
            copies.add(copy.replaceAll("\\s+", " "));
        }
        assertTrue(copies.contains("--from=build /src/warmpool /opt/warmpool/warmpool"), copies.toString());
        assertTrue(copies.contains("--from=build /src/service/target/warmpool.jar /opt/warmpool/warmpool.jar"), copies.toString());
        assertTrue(Files.isExecutable(Path.of("..", "warmpool")), "the launcher is executable");

        Map<String, String> env = file.env();
        assertEquals(Integer.toString(MetricsServer.DEFAULT_PORT), file.last("EXPOSE"));
        assertEquals(file.last("EXPOSE"), env.get("WARMPOOL_METRICS_PORT"));
        assertEquals("0.0.0.0", env.get("WARMPOOL_METRICS_ADDRESS"));
        // Every WARMPOOL_ variable the image sets is a key serve knows: serve would refuse it otherwise.
        Map<String, String> warmpool = new java.util.TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith("WARMPOOL_")) {
                warmpool.put(name, value);
            }
        });
        Configuration config = Configuration.load("serve", ServeSettings.KEYS, null, warmpool, Map.of());
        assertEquals(MetricsServer.DEFAULT_PORT, config.get(MetricsAddress.PORT));
    }

    @Test
    void theHealthcheckStartsNoJvmAndIsHealthyOnlyWhenServeIsReady() throws Exception {
        Matcher m = HEALTHCHECK.matcher(Dockerfile.read().last("HEALTHCHECK"));
        assertTrue(m.matches(), "HEALTHCHECK [options] CMD [...]");
        List<String> command = Dockerfile.execForm(m.group(2));
        assertFalse(String.join(" ", command).contains("java"), "no JVM every interval: " + command);

        Readiness readiness = Readiness.notYet("starting: the pool is not up yet");
        try (MetricsServer server = MetricsServer.start(MetricsServer.newRegistry(), "127.0.0.1", 0, readiness)) {
            assertEquals(1, healthcheck(command, server.port()), "starting is not healthy");
            readiness.markReady();
            assertEquals(0, healthcheck(command, server.port()), "ready is healthy");
            readiness.markNotReady("draining: SIGTERM");
            assertEquals(1, healthcheck(command, server.port()), "draining is not healthy");
        }
        int nothing;
        try (ServerSocket socket = new ServerSocket(0)) {
            nothing = socket.getLocalPort();
        }
        assertEquals(1, healthcheck(command, nothing), "nothing listening is not healthy");
    }

    /** Runs the HEALTHCHECK's command as Docker would, with the image's port variable; its exit status. */
    private static int healthcheck(List<String> command, int port) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("WARMPOOL_METRICS_PORT", Integer.toString(port));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the healthcheck finishes: " + output);
        return Math.min(process.exitValue(), 1);
    }
}
