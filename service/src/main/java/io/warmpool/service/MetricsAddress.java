package io.warmpool.service;

import io.warmpool.metrics.MetricsServer;

import java.util.List;

/** The configuration keys of the metrics endpoint, which {@code serve} binds and {@code health} asks. */
final class MetricsAddress {
    static final ConfigKey<String> HOST = ConfigKey.text("metrics.address", MetricsServer.DEFAULT_HOST,
            "the address /metrics and /-/healthy are served on (0.0.0.0: every interface)");
    static final ConfigKey<Integer> PORT = ConfigKey.integer("metrics.port", MetricsServer.DEFAULT_PORT, 0, 65535,
            "the port of /metrics and /-/healthy; 0: any free port");
    static final List<ConfigKey<?>> KEYS = List.of(HOST, PORT);

    private MetricsAddress() {
    }

    /** The URL of {@code path} on the endpoint {@code config} names, asked from this machine. */
    static String url(Configuration config, String path) {
        String host = config.get(HOST);
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + config.get(PORT) + path;
    }
}
