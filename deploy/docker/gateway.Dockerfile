# syntax=docker/dockerfile:1
# The gateway (gRPC-Web, HTTP/JSON and the classic routes in front of the token server). Build from the
# repository root:
#   docker build -f deploy/docker/gateway.Dockerfile -t tokenservice/token-gateway .

FROM eclipse-temurin:17-jdk-jammy AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -pl gateway -am package -DskipTests
# The health check command: one class of the JDK's own HTTP client, no other dependency.
RUN javac --release 17 -d /probe deploy/src/main/java/io/tokenservice/deploy/probe/HttpProbe.java

FROM eclipse-temurin:17-jre-jammy
WORKDIR /app
COPY --from=build /src/gateway/target/token-gateway.jar /app/token-gateway.jar
COPY --from=build /probe /app/probe
COPY deploy/docker/cds-archive /app/cds-archive
ENV GATEWAY_PORT=8080 \
    TOKEN_SERVICE_TARGET=token-server:50051
# Start-up: the classes a start loads, parsed and verified once here (AppCDS), from a training start (no
# token server needed: it listens without one) with this image's JVM.
RUN /app/cds-archive /app/token-gateway.jsa 'token gateway listening' -jar /app/token-gateway.jar
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=10s --start-period=30s --retries=3 \
    CMD java -Xmx32m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData \
        -cp /app/probe io.tokenservice.deploy.probe.HttpProbe "http://127.0.0.1:${GATEWAY_PORT}/ping"
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData", \
            "-XX:SharedArchiveFile=/app/token-gateway.jsa", "-jar", "/app/token-gateway.jar"]
