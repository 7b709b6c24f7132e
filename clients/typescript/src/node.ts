/** Node.js: native gRPC over HTTP/2 (h2c for http://, TLS for https://). */
import { createGrpcTransport, type GrpcTransportOptions } from "@connectrpc/connect-node";
import type { TransportFactory } from "./client.js";

export type NodeGrpcOptions = Omit<GrpcTransportOptions, "baseUrl" | "interceptors">;

/**
 * Native gRPC to the token server, e.g. `grpcTransport("https://tokens.example.com")` or, for a local
 * server, `grpcTransport("http://localhost:50051")`. `options` go to connect-node's createGrpcTransport
 * (for example `nodeOptions: { ca }` to trust a private CA).
 */
export function grpcTransport(baseUrl: string, options?: NodeGrpcOptions): TransportFactory {
  return (interceptors) => createGrpcTransport({ ...options, baseUrl, interceptors } as GrpcTransportOptions);
}
