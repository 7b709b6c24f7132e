/**
 * The real token server for the tests: `java -jar server/target/token-server.jar` as a process on a free
 * loopback port, with a throw-away app (random App ID and certificate) and random API keys, in an empty
 * working directory (so no developer .env is read). Ready when the gRPC health check says SERVING.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus } from "../../src/gen/grpc/health/v1/health_pb.js";
import { JarProcess } from "./jar-process.js";

const READY_WITHIN_MS = 60_000;

/** The server module's committed test certificates (for localhost and 127.0.0.1; see the README there). */
const TLS_DIRECTORY = fileURLToPath(new URL("../../../../../server/src/test/resources/tls/", import.meta.url));

/** The CA that signed the TLS server's certificate, for clients that should trust it. */
export const TEST_CA = readFileSync(`${TLS_DIRECTORY}ca.crt`);

export interface ServerOptions {
  /** Callers and their keys; default one caller "node-tests". */
  readonly callers?: readonly string[];
  /** RENEW_GRACE_SECONDS; default the server's (300). */
  readonly renewGraceSeconds?: number;
  /** Listen on this port instead of a free one. */
  readonly port?: number;
  /** The same app, certificate and callers as this server (a second instance of the same service). */
  readonly sameAppAndKeysAs?: RealServer;
  /** Serve TLS (the test certificate; clients trust TEST_CA) instead of plaintext. */
  readonly tls?: boolean;
}

export class RealServer {
  readonly appId: string;
  readonly certificate: string;
  /** API key per caller. */
  readonly keys: ReadonlyMap<string, string>;
  private process: JarProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly options: ServerOptions,
  ) {
    const twin = options.sameAppAndKeysAs;
    this.appId = twin?.appId ?? randomBytes(16).toString("hex");
    this.certificate = twin?.certificate ?? randomBytes(16).toString("hex");
    this.keys = twin?.keys ??
      new Map((options.callers ?? ["node-tests"]).map((c) => [c, `tsk_${randomBytes(24).toString("base64url")}`]));
  }

  static async start(options: ServerOptions = {}): Promise<RealServer> {
    const server = await RealServer.prepare(options);
    await server.launch();
    return server;
  }

  /** A server with its port, app and keys chosen but not running yet: clients pointed at it get UNAVAILABLE until launch(). */
  static async prepare(options: ServerOptions = {}): Promise<RealServer> {
    return new RealServer(options.port ?? (await freePort()), options);
  }

  get url(): string {
    return `${this.options.tls ? "https" : "http"}://127.0.0.1:${this.port}`;
  }

  /** The key of the first (or the named) caller. */
  key(caller?: string): string {
    return caller === undefined ? this.keys.values().next().value! : this.keys.get(caller)!;
  }

  /** Everything the server wrote so far (stdout: audit JSON lines; stderr: the log). */
  get log(): string {
    return this.process?.output ?? "";
  }

  /** The audit records (one JSON object per stdout line) so far. */
  auditRecords(): Array<Record<string, unknown>> {
    return this.log
      .split("\n")
      .filter((l) => l.startsWith("{\"time\""))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }

  async launch(): Promise<void> {
    const env: Record<string, string> = {
      GRPC_PORT: String(this.port),
      APP_ID: this.appId,
      APP_CERTIFICATE: this.certificate,
      TOKEN_SERVICE_API_KEYS: [...this.keys].map(([c, k]) => `${c}=${k}`).join(","),
      SHUTDOWN_GRACE_SECONDS: "1",
      // The rate-limit tests need a limit a few hundred calls exceed (the default is 500/s, burst 1000).
      TOKEN_SERVICE_RATE_LIMIT: "50/100",
    };
    if (this.options.tls) {
      env.TLS_CERT_FILE = `${TLS_DIRECTORY}server.crt`;
      env.TLS_KEY_FILE = `${TLS_DIRECTORY}server.key`;
    }
    if (this.options.renewGraceSeconds !== undefined) {
      env.RENEW_GRACE_SECONDS = String(this.options.renewGraceSeconds);
    }
    this.process = new JarProcess("TOKEN_SERVER_JAR", env);
    await this.waitUntilServing(this.process);
  }

  private async waitUntilServing(child: JarProcess): Promise<void> {
    const transport = createGrpcTransport({ baseUrl: this.url, nodeOptions: { ca: TEST_CA } });
    const health = createClient(Health, transport);
    const until = Date.now() + READY_WITHIN_MS;
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`token server exited with ${child.exitCode} before it was ready:\n${child.output}`);
      }
      try {
        const answer = await health.check({ service: "tokenservice.v1.TokenService" }, { timeoutMs: 1000 });
        if (answer.status === HealthCheckResponse_ServingStatus.SERVING) {
          return;
        }
      } catch {
        // not listening yet
      }
      if (Date.now() > until) {
        child.kill();
        throw new Error(`token server not SERVING within ${READY_WITHIN_MS} ms:\n${child.output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** A loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
