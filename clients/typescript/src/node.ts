/** Node.js: native gRPC over HTTP/2 (h2c for http://, TLS for https://). */
import { createGrpcTransport, type GrpcTransportOptions } from "@connectrpc/connect-node";
import type { TransportFactory } from "./client.js";
import { droppedConnections } from "./tls-probe.js";

export type NodeGrpcOptions = Omit<GrpcTransportOptions, "baseUrl" | "interceptors">;

/**
 * Native gRPC to the token server, e.g. `grpcTransport("https://tokens.example.com")` or, for a local
 * server, `grpcTransport("http://localhost:50051")`. `options` go to connect-node's createGrpcTransport
 * (for example `nodeOptions: { ca }` to trust a private CA). With http://, a call that fails because the
 * server speaks TLS is reported as TLS_MISMATCH (a TLS handshake with the port, on that failure path only,
 * tells it from a server that dropped the connection for another reason, which is UNAVAILABLE).
 */
export function grpcTransport(baseUrl: string, options?: NodeGrpcOptions): TransportFactory {
  const dropped = droppedConnections(baseUrl);
  return (interceptors) =>
    createGrpcTransport({ ...options, baseUrl, interceptors: [...interceptors, dropped] } as GrpcTransportOptions);
}
