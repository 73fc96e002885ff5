package io.warmpool.service;

import io.warmpool.metrics.MetricsServer;
import io.warmpool.pool.config.ByteSize;
import io.warmpool.pool.config.PoolConfig;
import io.warmpool.pool.config.SlotKind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The manifests of deploy/kubernetes, checked offline: what Kubernetes would refuse or what would
 * crash-loop the pod is found here, without a cluster. The pod's environment is the image's ENV
 * overlaid with the manifest's, as the container runtime builds it.
 */
class KubernetesManifestsTest {
    private static final Path DIR = Path.of("..", "deploy", "kubernetes");
    private static final Path LAUNCHER = Path.of("..", "warmpool");
    private static final long MIB = 1 << 20;
    /**
     * What the JVM takes beside its heap: classes (13 MiB measured), compiled code (7 MiB), the
     * threads of a default serve, libjvm and the class data archive, malloc's arenas. serve on its
     * defaults measured 146 MiB of RSS after a minute, of which 64 MiB heap and 18 MiB slabs:
     * 64 MiB more; 96 MiB leaves room.
     */
    private static final long JVM_BESIDE_HEAP = 96 * MIB;
    /** What each tenant thread's stack keeps resident: 115 MiB for 1024 tenants, measured with NMT. */
    private static final long TENANT_STACK = 128 << 10;

    private static final List<Map<String, Object>> documents = new ArrayList<>();

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void readManifests() throws IOException {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object document : yaml.loadAll(Files.readString(file))) {
                    if (document != null) {
                        documents.add((Map<String, Object>) document);
                    }
                }
            }
        }
    }

    private static Map<String, Object> only(String kind) {
        List<Map<String, Object>> found = documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        assertEquals(1, found.size(), "one " + kind + " in " + DIR);
        return found.get(0);
    }

    @SuppressWarnings("unchecked")
    private static <T> T at(Object node, String... path) {
        Object at = node;
        for (String step : path) {
            assertTrue(at instanceof Map<?, ?>, "no " + String.join(".", path) + " (at " + step + ")");
            at = ((Map<String, Object>) at).get(step);
        }
        return (T) at;
    }

    private static Map<String, Object> pod() {
        return at(only("Deployment"), "spec", "template");
    }

    private static Map<String, Object> container() {
        List<Map<String, Object>> containers = at(pod(), "spec", "containers");
        assertEquals(1, containers.size());
        return containers.get(0);
    }

    /** The container's environment: the image's ENV, then the manifest's env. */
    private static Map<String, String> environment() throws IOException {
        Map<String, String> env = new LinkedHashMap<>(Dockerfile.read().env());
        List<Map<String, Object>> entries = at(container(), "env");
        for (Map<String, Object> entry : entries) {
            assertNotNull(entry.get("value"), "env " + entry.get("name") + " has a literal value");
            env.put((String) entry.get("name"), String.valueOf(entry.get("value")));
        }
        return env;
    }

    /** serve's configuration in the pod: its WARMPOOL_ variables and the flags after "serve". */
    private static Configuration serveConfiguration() throws IOException {
        List<String> args = at(container(), "args");
        assertEquals("serve", args.get(0), "the container runs serve: " + args);
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 1; i + 1 < args.size(); i += 2) {
            assertTrue(args.get(i).startsWith("--"), args.toString());
            flags.put(args.get(i).substring(2), args.get(i + 1));
        }
        return Configuration.load("serve", ServeSettings.KEYS, null, environment(), flags);
    }

    private static int containerPort(Object portRef) {
        List<Map<String, Object>> ports = at(container(), "ports");
        for (Map<String, Object> port : ports) {
            if (portRef.equals(port.get("name")) || portRef.equals(port.get("containerPort"))) {
                return (Integer) port.get("containerPort");
            }
        }
        throw new AssertionError("no container port " + portRef + " in " + ports);
    }

    @Test
    void everyVariableIsAKeyServeKnowsWithAValueThatParses() throws IOException {
        Configuration config = serveConfiguration();
        for (ConfigKey<?> key : ServeSettings.KEYS) {
            config.get(key); // throws naming the key, value and source when it does not parse
        }
        ServeSettings.workload(config, ServeSettings.pool(config));
        assertEquals(List.of(), config.passedOver());
    }

    @Test
    void theProbesAskPathsTheServerAnswersOnThePortServeBinds() throws Exception {
        Configuration config = serveConfiguration();
        String address = config.get(MetricsAddress.HOST);
        assertTrue(address.equals("0.0.0.0") || address.equals("::"), "the kubelet probes the pod's IP: metrics.address "
                + address + " must be a wildcard");
        int port = config.get(MetricsAddress.PORT);
        Map<String, Object> liveness = at(container(), "livenessProbe", "httpGet");
        Map<String, Object> readiness = at(container(), "readinessProbe", "httpGet");
        assertEquals("/-/healthy", liveness.get("path"));
        assertEquals("/-/ready", readiness.get("path"));
        assertEquals(port, containerPort(liveness.get("port")));
        assertEquals(port, containerPort(readiness.get("port")));
        try (MetricsServer server = MetricsServer.start(MetricsServer.newRegistry(), "127.0.0.1", 0)) {
            for (Map<String, Object> probe : List.of(liveness, readiness)) {
                String url = server.url((String) probe.get("path"));
                assertEquals(200, HttpGet.get(url, Duration.ofSeconds(10)).status(), url);
            }
        }
    }

    @Test
    void theServiceAndTheScrapeFindThePodsMetricsPort() throws IOException {
        int port = serveConfiguration().get(MetricsAddress.PORT);
        Map<String, Object> service = only("Service");
        Map<String, Object> labels = at(pod(), "metadata", "labels");
        Map<String, Object> selector = at(service, "spec", "selector");
        assertTrue(labels.entrySet().containsAll(selector.entrySet()), "the Service selects the pod: " + selector);
        List<Map<String, Object>> ports = at(service, "spec", "ports");
        assertEquals(1, ports.size());
        assertEquals(port, containerPort(ports.get(0).get("targetPort")));
        Map<String, Object> annotations = at(pod(), "metadata", "annotations");
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals(Integer.toString(port), annotations.get("prometheus.io/port"));
        assertEquals("/metrics", annotations.get("prometheus.io/path"));
        Map<String, Object> monitor = only("ServiceMonitor");
        Map<String, Object> matchLabels = at(monitor, "spec", "selector", "matchLabels");
        Map<String, Object> serviceLabels = at(service, "metadata", "labels");
        assertTrue(serviceLabels.entrySet().containsAll(matchLabels.entrySet()), "the ServiceMonitor selects the Service");
        List<Map<String, Object>> endpoints = at(monitor, "spec", "endpoints");
        assertEquals(ports.get(0).get("name"), endpoints.get(0).get("port"));
        assertEquals("/metrics", endpoints.get(0).get("path"));
    }

    @Test
    void itRunsAsTheImagesNumericNonRootUserWithoutPrivilegeOnAReadOnlyRoot() throws IOException {
        Map<String, Object> pod = at(pod(), "spec", "securityContext");
        assertEquals(true, pod.get("runAsNonRoot"));
        assertTrue(pod.get("runAsUser") instanceof Integer uid && uid > 0, "runAsUser " + pod.get("runAsUser"));
        assertEquals(Dockerfile.read().last("USER"), pod.get("runAsUser") + ":" + pod.get("runAsGroup"), "the image's user");
        String seccomp = at(pod, "seccompProfile", "type");
        assertTrue(seccomp.equals("RuntimeDefault") || seccomp.equals("Localhost"), "a seccomp profile: " + seccomp);
        assertEquals(false, at(pod(), "spec", "enableServiceLinks"));

        Map<String, Object> container = at(container(), "securityContext");
        assertEquals(false, container.get("allowPrivilegeEscalation"));
        assertEquals(false, container.get("privileged"));
        assertEquals(true, container.get("readOnlyRootFilesystem"));
        assertEquals(List.of("ALL"), at(container, "capabilities", "drop"));
        // A read-only root needs a writable java.io.tmpdir: JNA unpacks its library there.
        List<Map<String, Object>> mounts = at(container(), "volumeMounts");
        Map<String, Object> tmp = mounts.stream().filter(m -> "/tmp".equals(m.get("mountPath"))).findFirst()
                .orElseThrow(() -> new AssertionError("no volume on /tmp: " + mounts));
        assertNotEquals(true, tmp.get("readOnly"));
        List<Map<String, Object>> volumes = at(pod(), "spec", "volumes");
        assertTrue(volumes.stream().anyMatch(v -> tmp.get("name").equals(v.get("name")) && v.containsKey("emptyDir")), volumes.toString());
    }

    @Test
    void theMemoryLimitHoldsThePoolsIdleBudgetTheInstancesInUseAndTheJvm() throws IOException {
        Configuration config = serveConfiguration();
        PoolConfig pool = ServeSettings.pool(config);
        SyntheticWorkload.Settings tenants = ServeSettings.workload(config, pool);
        long idleBudget = 0;
        for (SlotKind kind : SlotKind.values()) {
            idleBudget += Math.min(pool.maxUnusedWarmSlots(), pool.kind(kind).count()) * pool.kind(kind).keepResidentBytes();
        }
        long instance = tenants.memoryMax() + tenants.tables() * pool.tables().slotBytes() + (tenants.stack() ? pool.stacks().slotBytes() : 0);
        long inUse = tenants.threads() * (instance + TENANT_STACK);
        long heap = maxHeap(environment().getOrDefault("WARMPOOL_JAVA_OPTS", ""));
        long needed = idleBudget + inUse + heap + JVM_BESIDE_HEAP;

        long limit = bytes(at(container(), "resources", "limits", "memory"));
        long request = bytes(at(container(), "resources", "requests", "memory"));
        assertEquals(limit, request, "requests equal limits: the pod is not the first one evicted");
        assertTrue(limit >= needed, "memory limit " + ByteSize.format(limit) + " < idle budget " + ByteSize.format(idleBudget)
                + " + instances in use and their threads " + ByteSize.format(inUse) + " + heap " + ByteSize.format(heap) + " + the JVM's own "
                + ByteSize.format(JVM_BESIDE_HEAP));
        assertTrue(limit <= 2 * needed, "a limit far above the need hides a leak: " + ByteSize.format(limit));
    }

    /** The heap bound: -Xmx from WARMPOOL_JAVA_OPTS, else the launcher's default. */
    private static long maxHeap(String javaOpts) throws IOException {
        Matcher given = Pattern.compile("-Xmx(\\d+[kKmMgG]?)").matcher(javaOpts);
        String size = null;
        while (given.find()) {
            size = given.group(1);
        }
        if (size == null) {
            Matcher launcher = Pattern.compile("heap=\\([^)]*-Xmx(\\d+[kKmMgG])[^)]*\\)").matcher(Files.readString(LAUNCHER));
            assertTrue(launcher.find(), "the launcher's default heap");
            size = launcher.group(1);
        }
        assertTrue(!javaOpts.contains("RAMPercentage"), "a heap as a share of the limit cannot be checked here: give -Xmx");
        long unit = switch (Character.toLowerCase(size.charAt(size.length() - 1))) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        return Long.parseLong(size.replaceAll("\\D", "")) * unit;
    }

    /** A Kubernetes quantity of bytes: 256Mi, 1Gi, 500M, 1048576. */
    private static long bytes(Object quantity) {
        Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi|K|M|G)?").matcher(String.valueOf(quantity));
        assertTrue(m.matches(), "memory quantity " + quantity);
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
        return n * switch (unit) {
            case "ki" -> 1L << 10;
            case "mi" -> 1L << 20;
            case "gi" -> 1L << 30;
            case "k" -> 1000L;
            case "m" -> 1000_000L;
            case "g" -> 1000_000_000L;
            default -> 1L;
        };
    }
}
