package io.warmpool.service;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.warmpool.metrics.MetricsServer;
import io.warmpool.metrics.PoolMetrics;
import io.warmpool.pool.Instance;
import io.warmpool.pool.InstanceRequest;
import io.warmpool.pool.WarmPool;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.ResetStrategy;
import io.warmpool.pool.config.SlotKind;
import io.warmpool.pool.profile.ProfileSnapshot;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@SuppressWarnings("deprecation") // PrometheusMeterRegistry: the simpleclient flavour is the one served
class TuneCommandTest {

    private static String refusal(String... args) {
        return assertThrows(UsageException.class, () -> TuneCommand.parse(List.of(args))).getMessage();
    }

    @Test
    void aProfileIsAllItNeeds() {
        TuneCommand.Request r = TuneCommand.parse(List.of("--profile", "p.prom"));
        assertEquals(Path.of("p.prom"), r.profile());
        assertNull(r.from());
        assertEquals(1L << 30, r.rssBudget());
        assertEquals(SlotKind.MEMORY, r.kind());
        assertNull(r.keepResident());
        assertNull(r.warmSlots());
    }

    @Test
    void sweepsBudgetAndKindCanBeGiven() {
        TuneCommand.Request r = TuneCommand.parse(List.of("--profile", "p", "--rss-budget", "64MiB", "--kind", "stack",
                "--pool.stack-keep-resident", "0,64KiB", "--pool.max-unused-warm-slots", "0,8", "--plot", "t.svg"));
        assertEquals(64L << 20, r.rssBudget());
        assertEquals(SlotKind.STACK, r.kind());
        assertEquals(List.of(0L, 65536L), r.keepResident());
        assertEquals(List.of(0, 8), r.warmSlots());
        assertEquals(Path.of("t.svg"), r.plot());
    }

    @Test
    void theOldFlagNamesStillWorkAsAliasesOfThePoolSettings() {
        TuneCommand.Request r = TuneCommand.parse(List.of("--profile", "p", "--keep-resident-bytes", "4KiB",
                "--warm-slots", "2"));
        assertEquals(List.of(4096L), r.keepResident());
        assertEquals(List.of(2), r.warmSlots());
        assertTrue(refusal("--profile", "p", "--warm-slots", "2", "--pool.max-unused-warm-slots", "2")
                .contains("old name of --pool.max-unused-warm-slots"));
        assertTrue(refusal("--profile", "p", "--pool.table-keep-resident", "4KiB")
                .contains("--pool.table-keep-resident sweeps table slots, and --kind is memory"));
    }

    @Test
    void whatIsMissingOrWrongIsNamed() {
        assertTrue(refusal().contains("--profile FILE or --from URL is required"));
        assertTrue(refusal("--from", "http://localhost:9400/metrics", "--profile", "p").contains("two sources: give one"));
        assertTrue(refusal("--from", "http://localhost:9400/metrics", "--timeout", "soon").contains("--timeout 'soon'"));
        assertTrue(refusal("--profile", "p", "--kind", "heap").contains("--kind = 'heap'"));
        assertTrue(refusal("--profile", "p", "--pool.max-unused-warm-slots", "-1").contains("--pool.max-unused-warm-slots: '-1'"));
        assertTrue(refusal("--profile", "p", "--rss-budget", "lots").contains("--rss-budget: 'lots' is not a byte size"));
    }

    @Test
    void aMissingProfileFileIsNamed() {
        UsageException e = assertThrows(UsageException.class,
                () -> new TuneCommand().run(List.of("--profile", "/nonexistent/p.prom"), System.out, System.err));
        assertTrue(e.getMessage().contains("/nonexistent/p.prom: no such file"), e.getMessage());
    }

    @Test
    void fromReadsTheProfileOfThePoolARunningEndpointServes() throws Exception {
        PoolConfig config = PoolConfig.builder().memories(2).memoryMax(1 << 20).memoryKeepResident(64 << 10)
                .tables(0).stacks(0).resetStrategy(ResetStrategy.PAGEMAP_GUIDED).build();
        PrometheusMeterRegistry registry = MetricsServer.newRegistry();
        try (PoolMetrics metrics = new PoolMetrics(config)) {
            metrics.bindTo(registry);
            try (WarmPool pool = WarmPool.create(config, metrics);
                 MetricsServer server = MetricsServer.start(registry, "127.0.0.1", 0)) {
                String url = server.url("/metrics");
                IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> fetch(url));
                assertTrue(none.getMessage().startsWith(url + ": no warmpool_profile_page_size_bytes"), none.getMessage());
                metrics.observe(pool);
                for (int i = 0; i < 5; i++) {
                    try (Instance instance = pool.acquire(InstanceRequest.memory("m", 256 << 10))) {
                        instance.memory(0).buffer().put(i * 4096, (byte) 1);
                    }
                }
                ProfileSnapshot served = fetch(url);
                assertEquals(pool.profile().snapshot(), served);
                assertEquals(5, served.kind(SlotKind.MEMORY).scannedResets());
            }
        }
    }

    @Test
    void fromNamesTheUrlThatDoesNotAnswerOrAnswersAnError() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = free.getLocalPort();
        }
        String nobody = "http://127.0.0.1:" + port + "/metrics";
        IOException refused = assertThrows(IOException.class, () -> fetch(nobody));
        assertTrue(refused.getMessage().startsWith("cannot read the tenant profile from " + nobody + ": "), refused.getMessage());
        HttpServer failing = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        failing.createContext("/", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        failing.start();
        try {
            String url = "http://127.0.0.1:" + failing.getAddress().getPort() + "/metrics";
            IOException e = assertThrows(IOException.class, () -> fetch(url));
            assertEquals("cannot read the tenant profile from " + url + ": it answered HTTP 503", e.getMessage());
        } finally {
            failing.stop(0);
        }
        assertTrue(assertThrows(UsageException.class, () -> fetch("localhost:9464/metrics")).getMessage()
                .startsWith("tune: --from 'localhost:9464/metrics' is not an http URL"));
    }

    private static ProfileSnapshot fetch(String url) throws IOException {
        return TuneCommand.fetch(url, Duration.ofSeconds(10));
    }
}
