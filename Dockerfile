# syntax=docker/dockerfile:1
# Veer: proxy on 8080, admin API + /metrics on 9090.
#
#   docker build -t veer .
#   docker run -d --name veer -p 8080:8080 -p 9090:9090 \
#     -e VEER_ADMIN_TOKEN="$(openssl rand -hex 24)" \
#     -v "$PWD/veer.yaml:/etc/veer/veer.yaml:ro" -v veer-state:/var/lib/veer veer
#
# Without the veer.yaml mount the image runs config/veer.yaml, whose endpoints (127.0.0.1:9001/9002) are the
# container's own loopback: every endpoint is down and requests get 503. Mount your own.
# The admin API binds 0.0.0.0 inside the container (VEER_ADMIN_LISTEN), and Veer refuses a non-loopback
# admin bind without a token: set VEER_ADMIN_TOKEN, or VEER_ADMIN_LISTEN=127.0.0.1:9090 to keep it internal.
# Extra settings go after the image name (appended to the run command): docker run veer --set key=value.
# Move the admin port with VEER_ADMIN_LISTEN rather than --set admin.listen: the HEALTHCHECK reads that variable.
# Extra JVM flags: JAVA_TOOL_OPTIONS. The admin client: docker exec veer java -jar /opt/veer/veer.jar ctl status

# ---- build ---------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src

# Dependency layer: only the poms, so source edits do not re-download the world.
# (excludeReactor keeps go-offline from looking for the project's own unbuilt modules.)
COPY pom.xml ./
COPY config/pom.xml config/
COPY proxy/pom.xml proxy/
COPY analyzer/pom.xml analyzer/
COPY admin/pom.xml admin/
COPY benchmarks/pom.xml benchmarks/
RUN mvn -B -q -ntp -pl admin -am \
      org.apache.maven.plugins:maven-dependency-plugin:3.9.0:go-offline -DexcludeReactor=true

COPY config/src config/src
COPY proxy/src proxy/src
COPY analyzer/src analyzer/src
COPY admin/src admin/src
RUN mvn -B -ntp -Dmaven.test.skip=true -pl admin -am package

# ---- runtime -------------------------------------------------------------------------------------
FROM eclipse-temurin:17-jre

RUN groupadd --system --gid 10001 veer \
 && useradd --system --uid 10001 --gid veer --home-dir /var/lib/veer --shell /usr/sbin/nologin veer \
 && mkdir -p /opt/veer /etc/veer /var/lib/veer \
 && chown veer:veer /var/lib/veer \
 && chmod 0700 /var/lib/veer

COPY --from=build /src/admin/target/veer.jar /opt/veer/veer.jar
COPY config/veer.yaml /etc/veer/veer.yaml

# Listeners on all interfaces inside the container; state on the volume. Config layering applies
# (defaults < /etc/veer/veer.yaml < VEER_* environment < --set), so these can be overridden at run time.
ENV VEER_PROXY_LISTEN=0.0.0.0:8080 \
    VEER_ADMIN_LISTEN=0.0.0.0:9090 \
    VEER_STATE_DIR=/var/lib/veer

VOLUME /var/lib/veer
EXPOSE 8080 9090
USER veer:veer
WORKDIR /var/lib/veer

# The JRE image need not carry curl or wget: bash's /dev/tcp speaks just enough HTTP to ask /healthz
# (always open, no token) on the admin port taken from VEER_ADMIN_LISTEN, reading the answer to the end
# so the server sees an orderly close rather than a reset.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 CMD ["bash", "-c", \
  "exec 3<>/dev/tcp/127.0.0.1/${VEER_ADMIN_LISTEN##*:} && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && read -r -t 2 version status rest <&3; while read -r -t 2 line <&3; do :; done; [ \"$status\" = 200 ]"]

# Heap as a share of the container's memory limit; die fast on OOM so the orchestrator restarts us. The Netty
# settings are ./veer's (benchmarks/README.md, "Hot-path allocation"): the pooled allocator and no leak sampling
# save ~150 B per proxied request.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseParallelGC", \
            "-Dio.netty.allocator.type=pooled", "-Dio.netty.leakDetection.level=disabled", \
            "-jar", "/opt/veer/veer.jar", "run", "--config", "/etc/veer/veer.yaml"]
