package io.warmpool.service;

import java.util.regex.Pattern;

/**
 * The environment variables Kubernetes puts into every container for every Service of the pod's
 * namespace (unless the pod says {@code enableServiceLinks: false}). A Service named
 * {@code warmpool} with port 9464/TCP at 10.0.0.11 gives every pod:
 *
 * <pre>
 *  WARMPOOL_SERVICE_HOST=10.0.0.11                 WARMPOOL_PORT=tcp://10.0.0.11:9464
 *  WARMPOOL_SERVICE_PORT=9464                      WARMPOOL_PORT_9464_TCP=tcp://10.0.0.11:9464
 *  WARMPOOL_SERVICE_PORT_METRICS=9464 (named port) WARMPOOL_PORT_9464_TCP_PROTO=tcp
 *                                                  WARMPOOL_PORT_9464_TCP_PORT=9464
 *                                                  WARMPOOL_PORT_9464_TCP_ADDR=10.0.0.11
 * </pre>
 *
 * The prefix is the Service's name in capitals with {@code _} for {@code -}; the protocol is TCP,
 * UDP or SCTP; an IPv6 address is bracketed in the URLs. A Service named {@code warmpool-metrics}
 * gives {@code WARMPOOL_METRICS_PORT=tcp://...}, which is also the variable of the key
 * {@code metrics.port}: that one is told apart by its value, a URL where a port number is expected.
 * {@link Configuration} passes over these variables instead of refusing them as unknown keys.
 */
final class ServiceLinks {
    private static final Pattern NAME_ONLY = Pattern.compile(
            "[A-Z0-9_]+_SERVICE_HOST|[A-Z0-9_]+_SERVICE_PORT(_[A-Z0-9_]+)?|[A-Z0-9_]+_PORT_\\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?");
    private static final Pattern PORT_NAME = Pattern.compile("[A-Z0-9_]+_PORT");
    private static final Pattern PORT_URL = Pattern.compile("(tcp|udp|sctp)://(\\[[0-9A-Fa-f:.]+\\]|[^\\s:/\\[\\]]+):\\d+");

    private ServiceLinks() {
    }

    /** Whether {@code name=value} is a variable Kubernetes derives from a Service, by its name alone. */
    static boolean isServiceLinkName(String name) {
        return NAME_ONLY.matcher(name).matches();
    }

    /** Whether {@code name=value} is a variable Kubernetes derives from a Service. */
    static boolean isServiceLink(String name, String value) {
        return isServiceLinkName(name) || PORT_NAME.matcher(name).matches() && PORT_URL.matcher(value.strip()).matches();
    }
}
