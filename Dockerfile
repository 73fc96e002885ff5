# syntax=docker/dockerfile:1
#
# warmpool service image: `warmpool serve` on its defaults, metrics on port 9464.
#
#   docker build -t warmpool .
#   docker run --rm -p 127.0.0.1:9464:9464 warmpool             # serve; scrape http://127.0.0.1:9464/metrics
#   docker run --rm warmpool probe                               # what the host's kernel offers the pool
#   docker run --rm -e WARMPOOL_POOL_MEMORIES=8 warmpool         # any key: WARMPOOL_<KEY>, or flags after `serve`
#
# Reproducible builds pin both base images by digest, and name the revision that --version and
# warmpool_build_info report (.git is not in the build context):
#
#   docker build --build-arg BUILD_IMAGE=maven:3.9-eclipse-temurin-17@sha256:<digest> \
#                --build-arg RUNTIME_IMAGE=debian:bookworm-slim@sha256:<digest> \
#                --build-arg WARMPOOL_REVISION=$(git rev-parse HEAD) -t warmpool .
#
# A container shares the host's kernel; README.md ("Running the container") says what it needs.

ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---- stage 1: the shaded jar and a trimmed Java runtime ------------------------------------------
FROM ${BUILD_IMAGE} AS build

# native-stubs compiles its fork handlers (a small C library) with gcc; binutils brings objdump;
# guests assembles the bundled WebAssembly guests with wat2wasm (wabt).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev binutils wabt \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# Copy the tree and package in one step: `mvn dependency:go-offline` does not resolve every plugin
# this build runs. The BuildKit cache mount keeps ~/.m2 between builds instead.
COPY . .
ARG WARMPOOL_REVISION=
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests -Dwarmpool.revision="${WARMPOOL_REVISION}" package

# The builder is Ubuntu; the runtime is Debian bookworm (glibc 2.36). Refuse a library of ours (the
# fork handlers' libwarmpool.so, the reset's hot calls' libwarmpoolcalls.so) that needs a newer
# glibc than the runtime has (another RUNTIME_IMAGE: set RUNTIME_GLIBC to its glibc).
ARG RUNTIME_GLIBC=2.36
RUN set -eu; \
    for so in native-stubs/target/classes/linux-*/libwarmpool.so native-stubs/target/classes/linux-*/libwarmpoolcalls.so; do \
      [ -f "$so" ] || { echo "$so was not built" >&2; exit 1; }; \
      newest=$(objdump -T "$so" | grep -o 'GLIBC_[0-9.]*' | sed 's/^GLIBC_//' | sort -uV | tail -n 1); \
      if [ "$(printf '%s\n' "$RUNTIME_GLIBC" "$newest" | sort -V | tail -n 1)" != "$RUNTIME_GLIBC" ]; then \
        echo "$so needs glibc $newest; the runtime image has $RUNTIME_GLIBC" >&2; exit 1; \
      fi; \
    done

# `jdeps --print-module-deps --ignore-missing-deps --multi-release 17 service/target/warmpool.jar`
# gives java.base, java.desktop (JNA), java.naming (Logback), java.sql (Micrometer's unused database
# binders), jdk.httpserver (the metrics and health endpoints), jdk.management (process metrics) and
# jdk.unsupported (sun.misc.Signal for the drain on SIGTERM; Unsafe for jffi). Added:
# jdk.management.agent, so that a JMX client can attach to the pool's MBean. The check fails the
# build when jdeps finds more; ServeJarIT runs the same check against the jar `mvn verify` builds.
ARG JLINK_MODULES=java.base,java.desktop,java.logging,java.management,java.naming,java.sql,jdk.httpserver,jdk.management,jdk.management.agent,jdk.unsupported
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
FROM ${RUNTIME_IMAGE}

COPY --from=build /opt/java /opt/java
COPY --from=build /src/service/target/warmpool.jar /opt/warmpool/warmpool.jar
# The launcher of the repository: the JVM's memory defaults and WARMPOOL_JAVA_OPTS, as on a host.
COPY --from=build /src/warmpool /opt/warmpool/warmpool

# A named user for ps and ls; the image runs as its numbers, so that Kubernetes' runAsNonRoot can
# check them without reading /etc/passwd.
RUN groupadd --gid 10001 warmpool \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin warmpool

# Metrics on every interface of the container (the port is published, not the host's interfaces);
# serve's own default is 127.0.0.1. The HEALTHCHECK reads WARMPOOL_METRICS_PORT too.
# C.UTF-8 (built into glibc) so that the summary line's "µs" survives the JVM's output encoding.
ENV PATH=/opt/java/bin:$PATH \
    LANG=C.UTF-8 \
    WARMPOOL_METRICS_ADDRESS=0.0.0.0 \
    WARMPOOL_METRICS_PORT=9464

USER 10001:10001
WORKDIR /opt/warmpool
EXPOSE 9464

# Readiness, asked with bash alone: no curl in the image, and no second JVM every 30 seconds. It
# sends GET /-/ready over bash's /dev/tcp and is healthy on HTTP 200 (the pool is up and its
# tenants run). Kubernetes ignores HEALTHCHECK and probes the same endpoints itself
# (deploy/kubernetes/warmpool.yaml). Change the port with -e WARMPOOL_METRICS_PORT, not a flag.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${WARMPOOL_METRICS_PORT:-9464} && printf 'GET /-/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && read -r status <&3 && [[ $status == HTTP/1.?' 200 '* ]]"]

# The launcher execs java, which is PID 1 and gets SIGTERM from `docker stop`: serve drains,
# unmaps and exits 0. JVM options: WARMPOOL_JAVA_OPTS (-Xmx256m, JMX remote settings, ...).
ENTRYPOINT ["/opt/warmpool/warmpool"]
CMD ["serve"]
