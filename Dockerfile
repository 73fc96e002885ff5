# syntax=docker/dockerfile:1
#
# warmpool service image: `warmpool serve` on its defaults, metrics on port 9464.
#
#   docker build -t warmpool .
#   docker run --rm -p 127.0.0.1:9464:9464 warmpool             # serve; scrape http://127.0.0.1:9464/metrics
#   docker run --rm warmpool probe                               # what the host's kernel offers the pool
#   docker run --rm -e WARMPOOL_POOL_MEMORIES=8 warmpool         # any key: WARMPOOL_<KEY>, or flags after `serve`
#
# A container shares the host's kernel; README.md ("Running the container") says what it needs.

# ---- stage 1: the shaded jar and a trimmed Java runtime ------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build

# native-stubs compiles its fork handlers (a small C library) with gcc; binutils brings objdump.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev binutils \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# Copy the tree and package in one step: `mvn dependency:go-offline` does not resolve every plugin
# this build runs. The BuildKit cache mount keeps ~/.m2 between builds instead.
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests package

# The builder is Ubuntu; the runtime is Debian bookworm (glibc 2.36). Refuse a libwarmpool.so that
# needs a newer glibc than the runtime has.
RUN set -eu; \
    for so in native-stubs/target/classes/linux-*/libwarmpool.so; do \
      [ -f "$so" ] || { echo "no libwarmpool.so was built" >&2; exit 1; }; \
      newest=$(objdump -T "$so" | grep -o 'GLIBC_[0-9.]*' | sed 's/^GLIBC_//' | sort -uV | tail -n 1); \
      if [ "$(printf '%s\n' 2.36 "$newest" | sort -V | tail -n 1)" != 2.36 ]; then \
        echo "$so needs glibc $newest; debian:bookworm-slim has 2.36" >&2; exit 1; \
      fi; \
    done

# `jdeps --print-module-deps --ignore-missing-deps --multi-release 17 service/target/warmpool.jar`
# gives java.base, java.desktop (JNA), java.sql (Micrometer's unused database binders),
# jdk.httpserver (the Prometheus HTTP server), jdk.management (process metrics) and jdk.unsupported
# (sun.misc.Signal for the drain on SIGTERM; Unsafe for jffi). Added: jdk.management.agent, so that
# a JMX client can attach to the pool's MBean. The check fails the build when jdeps finds more.
ARG JLINK_MODULES=java.base,java.desktop,java.logging,java.management,java.sql,jdk.httpserver,jdk.management,jdk.management.agent,jdk.unsupported
RUN set -eu; \
    needed=$(jdeps --print-module-deps --ignore-missing-deps --multi-release 17 service/target/warmpool.jar); \
    for m in $(echo "$needed" | tr ',' ' '); do \
      case ",$JLINK_MODULES," in \
        *",$m,"*) ;; \
        *) echo "jdeps: warmpool.jar needs module $m; add it to JLINK_MODULES" >&2; exit 1 ;; \
      esac; \
    done; \
    jlink --add-modules "$JLINK_MODULES" \
          --strip-debug --no-man-pages --no-header-files --compress=2 \
          --output /opt/java

# ---- stage 2: runtime ---------------------------------------------------------------------------
FROM debian:bookworm-slim

COPY --from=build /opt/java /opt/java
COPY --from=build /src/service/target/warmpool.jar /opt/warmpool/warmpool.jar

RUN groupadd --gid 10001 warmpool \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin warmpool

# Metrics on every interface of the container (the port is published, not the host's interfaces);
# serve's own default is 127.0.0.1. `health` reads the same two variables.
# C.UTF-8 (built into glibc) so that the summary line's "µs" survives the JVM's output encoding.
ENV PATH=/opt/java/bin:$PATH \
    LANG=C.UTF-8 \
    WARMPOOL_METRICS_ADDRESS=0.0.0.0 \
    WARMPOOL_METRICS_PORT=9464

USER warmpool
WORKDIR /opt/warmpool
EXPOSE 9464

# No curl in the image: the jar's `health` command GETs /-/healthy on WARMPOOL_METRICS_PORT and
# exits 0 on HTTP 200. A small, quick JVM: no JIT beyond C1, a serial collector, a small heap.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["/opt/java/bin/java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-jar", "/opt/warmpool/warmpool.jar", "health", "--timeout", "5s"]

# java is PID 1 and gets SIGTERM from `docker stop`: serve drains, unmaps and exits 0.
# JVM options: JAVA_TOOL_OPTIONS (for example -Xmx512m, or JMX remote settings).
ENTRYPOINT ["/opt/java/bin/java", "--enable-native-access=ALL-UNNAMED", "-jar", "/opt/warmpool/warmpool.jar"]
CMD ["serve"]
