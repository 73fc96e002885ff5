package io.warmpool.service;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** serve in a Kubernetes pod: the variables the platform derives from Services do not stop it; typos still do. */
class ServiceLinksTest {

    /** One port of a Service: its number, protocol and name (null when unnamed). */
    record Port(int number, String protocol, String name) {
    }

    /**
     * The variables the kubelet gives every pod for a Service, built as it builds them: the name in
     * capitals with '_' for '-', _SERVICE_HOST and _SERVICE_PORT (the first port), _SERVICE_PORT_NAME
     * for each named port, and the Docker-link style _PORT (the first port) and _PORT_N_PROTO family.
     */
    static Map<String, String> kubelet(String service, String clusterIp, Port... ports) {
        String prefix = service.toUpperCase(Locale.ROOT).replace('-', '_');
        String hostPort = clusterIp.contains(":") ? "[" + clusterIp + "]" : clusterIp;
        Map<String, String> env = new LinkedHashMap<>();
        env.put(prefix + "_SERVICE_HOST", clusterIp);
        env.put(prefix + "_SERVICE_PORT", Integer.toString(ports[0].number()));
        for (int i = 0; i < ports.length; i++) {
            Port p = ports[i];
            if (p.name() != null) {
                env.put(prefix + "_SERVICE_PORT_" + p.name().toUpperCase(Locale.ROOT).replace('-', '_'),
                        Integer.toString(p.number()));
            }
            String url = p.protocol().toLowerCase(Locale.ROOT) + "://" + hostPort + ":" + p.number();
            if (i == 0) {
                env.put(prefix + "_PORT", url);
            }
            String portPrefix = prefix + "_PORT_" + p.number() + "_" + p.protocol();
            env.put(portPrefix, url);
            env.put(portPrefix + "_PROTO", p.protocol().toLowerCase(Locale.ROOT));
            env.put(portPrefix + "_PORT", Integer.toString(p.number()));
            env.put(portPrefix + "_ADDR", clusterIp);
        }
        return env;
    }

    private static Configuration serve(Map<String, String> env) {
        return Configuration.load("serve", ServeSettings.KEYS, null, env, Map.of());
    }

    @Test
    void theVariablesOfAServiceNamedWarmpoolArePassedOverAndListed() {
        Map<String, String> env = kubelet("warmpool", "10.96.12.7", new Port(9464, "TCP", "metrics"));
        assertTrue(env.containsKey("WARMPOOL_PORT_9464_TCP_ADDR") && env.containsKey("WARMPOOL_SERVICE_PORT_METRICS"), env.toString());
        env.put("WARMPOOL_POOL_MEMORIES", "8");
        env.put("KUBERNETES_SERVICE_HOST", "10.96.0.1");
        Configuration c = serve(env);
        assertEquals(8, c.get(ServeSettings.MEMORIES));
        assertEquals(9464, c.get(MetricsAddress.PORT));
        List<String> links = new ArrayList<>(env.keySet());
        links.removeAll(List.of("WARMPOOL_POOL_MEMORIES", "KUBERNETES_SERVICE_HOST"));
        assertEquals(links.stream().sorted().toList(), c.passedOver());
        assertEquals(8, c.passedOver().size(), c.passedOver().toString());
    }

    @Test
    void servicesNamedWarmpoolSomethingWithEveryProtocolAndIpv6ArePassedOver() {
        Map<String, String> env = new LinkedHashMap<>();
        env.putAll(kubelet("warmpool-pool", "fd00:10:96::3", new Port(9464, "TCP", null), new Port(53, "UDP", "dns"),
                new Port(3868, "SCTP", "diameter")));
        env.putAll(kubelet("warmpool-workload-2", "10.0.0.3", new Port(80, "TCP", "http-web")));
        Configuration c = serve(env);
        assertEquals(env.size(), c.passedOver().size(), c.passedOver().toString());
        assertTrue(c.changedFromDefaults().isEmpty(), c.changedFromDefaults().toString());
    }

    @Test
    void aServiceNamedWarmpoolMetricsDoesNotSetMetricsPortButAPortNumberDoes() {
        Map<String, String> env = kubelet("warmpool-metrics", "10.96.3.4", new Port(9464, "TCP", "metrics"));
        assertEquals("tcp://10.96.3.4:9464", env.get("WARMPOOL_METRICS_PORT"), "the Service's link lands on metrics.port's variable");
        Configuration c = serve(env);
        assertEquals(9464, c.get(MetricsAddress.PORT));
        assertEquals("default", c.origin(MetricsAddress.PORT));
        assertTrue(c.passedOver().contains("WARMPOOL_METRICS_PORT"), c.passedOver().toString());

        Configuration set = serve(Map.of("WARMPOOL_METRICS_PORT", "9465"));
        assertEquals(9465, set.get(MetricsAddress.PORT));
        assertEquals(List.of(), set.passedOver());
    }

    @Test
    void typosAndValuesThatAreNotLinksAreStillErrors() {
        UsageException typo = assertThrows(UsageException.class, () -> serve(Map.of("WARMPOOL_POOL_MEMORIS", "8")));
        assertTrue(typo.getMessage().contains("unknown environment variable WARMPOOL_POOL_MEMORIS (did you mean"
                + " WARMPOOL_POOL_MEMORIES?)"), typo.getMessage());
        UsageException port = assertThrows(UsageException.class, () -> serve(Map.of("WARMPOOL_PORT", "9464")));
        assertTrue(port.getMessage().contains("unknown environment variable WARMPOOL_PORT"), port.getMessage());
        Configuration notAUrl = serve(Map.of("WARMPOOL_METRICS_PORT", "http://10.0.0.1:9464"));
        assertThrows(UsageException.class, () -> notAUrl.get(MetricsAddress.PORT));
        assertThrows(UsageException.class, () -> serve(Map.of("WARMPOOL_WORKLOAD_PORT", "tcp://10.0.0.1")));
    }

    @Test
    void noKeyOfAnyCommandHasAVariableNamedLikeAServiceLink() {
        List<ConfigKey<?>> keys = new ArrayList<>(ServeSettings.KEYS);
        keys.addAll(MetricsAddress.KEYS);
        for (ConfigKey<?> key : keys) {
            assertFalse(ServiceLinks.isServiceLinkName(key.envName()), key.envName());
            assertFalse(ServiceLinks.isServiceLink(key.envName(), key.defaultText()), key.envName());
        }
        assertFalse(Configuration.NOT_KEYS.stream().anyMatch(ServiceLinks::isServiceLinkName), Configuration.NOT_KEYS.toString());
    }
}
