#!/usr/bin/env bash
# Load run of the gateway with the token server's full security on (API key, policy, rate limit, deny-list
# check, audit log): wrk on the classic GET /rtc route, h2load on gRPC-Web (binary) and native gRPC through
# the gateway, and native gRPC straight to the server for comparison. Loopback only; bounded in time.
# Needs: ./mvnw -B -q install -DskipTests (both jars), wrk, h2load (scripts/install-test-tools installs them).
# Usage: gateway/load/run.sh [seconds per wrk run, default 20] [requests per h2load run, default 40000]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN=${1:-20}
REQUESTS=${2:-40000}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

app_id=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
cert=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
key=tsk_$(head -c 32 /dev/urandom | base64 | tr -d '=+/\n')
hash=$(printf %s "$key" | sha256sum | cut -d' ' -f1)
cat > "$work/config.yaml" <<YAML
apps:
  - appId: "$app_id"
    primaryCertificate: "$cert"
grpcPort: 50161
security:
  callers:
    load:
      api_keys: ["sha256:$hash"]
      apps: ["*"]
      services: [rtc, rtm, chat]
      channels: ["*"]
      identities: ["*"]
      roles: [publisher, subscriber]
      max_ttl_seconds: 86400
      rate_limit: {per_second: 1000000, burst: 1000000}
YAML
(cd "$work" && TOKEN_SERVICE_CONFIG=config.yaml java -jar "$OLDPWD/server/target/token-server.jar" > audit.log 2> server.log) &
(cd "$work" && GATEWAY_PORT=18180 GATEWAY_BIND_ADDRESS=127.0.0.1 TOKEN_SERVICE_TARGET=localhost:50161 \
  java -jar "$OLDPWD/gateway/target/token-gateway.jar" 2> gateway.log) &
for _ in $(seq 1 300); do
  curl -sf http://127.0.0.1:18180/health > /dev/null && break
  sleep 0.5
done
curl -sf http://127.0.0.1:18180/health > /dev/null

# IssueRtcTokenRequest{channel:"demo", uid:1234, role:PUBLISHER, ttl_seconds:600}, gRPC-framed.
printf '\x00\x00\x00\x00\x0e\x12\x04demo\x18\xd2\x09\x28\x01\x30\xd8\x04' > "$work/rtc.bin"
auth="authorization: Bearer $key"
rtc=http://127.0.0.1:18180/rtc/demo/publisher/uid/1234?expiry=600

echo "== warm-up"
wrk -t2 -c16 -d5s -H "$auth" "$rtc" > /dev/null
h2load -n 5000 -c 8 -m 10 -d "$work/rtc.bin" -H 'content-type: application/grpc-web+proto' -H 'x-grpc-web: 1' \
  -H "$auth" http://127.0.0.1:18180/tokenservice.v1.TokenService/IssueRtcToken > /dev/null

echo "== classic GET /rtc through the gateway (wrk, HTTP/1.1, 2 threads, 16 connections, ${SECONDS_PER_RUN}s)"
wrk -t2 -c16 -d"${SECONDS_PER_RUN}s" --latency -H "$auth" "$rtc"
echo "== gRPC-Web binary through the gateway (h2load, 8 connections x 10 streams)"
h2load -n "$REQUESTS" -c 8 -m 10 -d "$work/rtc.bin" -H 'content-type: application/grpc-web+proto' -H 'x-grpc-web: 1' \
  -H "$auth" http://127.0.0.1:18180/tokenservice.v1.TokenService/IssueRtcToken | grep -E 'finished in|requests:|status codes:|time for request:'
echo "== native gRPC through the gateway (h2load)"
h2load -n "$REQUESTS" -c 8 -m 10 -d "$work/rtc.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
  -H "$auth" http://127.0.0.1:18180/tokenservice.v1.TokenService/IssueRtcToken | grep -E 'finished in|requests:|status codes:|time for request:'
echo "== native gRPC straight to the server (h2load), for comparison"
h2load -n "$REQUESTS" -c 8 -m 10 -d "$work/rtc.bin" -H 'content-type: application/grpc' -H 'te: trailers' \
  -H "$auth" http://127.0.0.1:50161/tokenservice.v1.TokenService/IssueRtcToken | grep -E 'finished in|requests:|status codes:|time for request:'
echo "== audit outcomes (the server's verdict on every call above; h2load does not read grpc-status)"
grep -o '"outcome":"[A-Z_]*"' "$work/audit.log" | sort | uniq -c
