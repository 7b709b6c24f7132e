/** Browsers (and any runtime with fetch): gRPC-Web through the token gateway. */
import { createGrpcWebTransport, type GrpcWebTransportOptions } from "@connectrpc/connect-web";
import type { TransportFactory } from "./client.js";

export type GrpcWebOptions = Omit<GrpcWebTransportOptions, "baseUrl" | "interceptors">;

/**
 * gRPC-Web (binary) to the gateway, e.g. `grpcWebTransport("https://tokens.example.com")`, or
 * `grpcWebTransport(location.origin)` for a page the gateway serves itself.
 */
export function grpcWebTransport(baseUrl: string, options?: GrpcWebOptions): TransportFactory {
  return (interceptors) => createGrpcWebTransport({ ...options, baseUrl, interceptors });
}
