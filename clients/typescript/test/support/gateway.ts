/**
 * The real gateway for the tests: `java -jar gateway/target/token-gateway.jar` as a process on a port of
 * 127.0.0.1 it picks itself (GATEWAY_PORT=0, read back from its start-up line), forwarding to a RealServer,
 * in an empty working directory (so no developer .env is read). Ready when GET /health answers 200, i.e.
 * the token server behind it serves; `awaitListening` for a gateway whose server is down on purpose.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RealServer } from "./server.js";

const READY_WITHIN_MS = 60_000;
const LISTENING = /token gateway listening on http port (\d+)/;

export interface GatewayOptions {
  /** GATEWAY_STATIC_DIR: the directory served at "/". */
  readonly staticDir?: string;
  /** Wait for /health 200 (default), or only until the port is open (a server that is down on purpose). */
  readonly ready?: "healthy" | "listening";
}

export class RealGateway {
  private readonly dir = mkdtempSync(join(tmpdir(), "token-gateway-"));
  private process: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;
  private output = "";
  private port = 0;

  private constructor(
    private readonly server: RealServer,
    private readonly options: GatewayOptions,
  ) {}

  static async start(server: RealServer, options: GatewayOptions = {}): Promise<RealGateway> {
    const gateway = new RealGateway(server, options);
    await gateway.launch();
    return gateway;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Everything the gateway wrote so far (its log, on stderr). */
  get log(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    const p = this.process;
    if (p && p.exitCode === null && p.signalCode === null) {
      p.kill("SIGTERM");
      const timer = setTimeout(() => p.kill("SIGKILL"), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const jar = process.env.TOKEN_GATEWAY_JAR;
    if (!jar) {
      throw new Error("TOKEN_GATEWAY_JAR is not set: run the tests through Maven (./mvnw verify -pl clients/typescript -am)");
    }
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      GATEWAY_PORT: "0",
      GATEWAY_BIND_ADDRESS: "127.0.0.1",
      TOKEN_SERVICE_TARGET: `127.0.0.1:${this.server.port}`,
      GATEWAY_SHUTDOWN_GRACE_SECONDS: "1",
    };
    if (this.options.staticDir !== undefined) {
      env.GATEWAY_STATIC_DIR = this.options.staticDir;
    }
    const child = spawn(process.env.JAVA ?? "java", ["-XX:TieredStopAtLevel=1", "-Xmx256m", "-jar", jar], {
      cwd: this.dir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.process = child;
    this.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    child.stdout!.setEncoding("utf8").on("data", (s: string) => (this.output += s));
    child.stderr!.setEncoding("utf8").on("data", (s: string) => (this.output += s));
    try {
      await this.waitUntilReady(child);
    } catch (e) {
      child.kill("SIGKILL");
      throw e;
    }
  }

  private async waitUntilReady(child: ChildProcess): Promise<void> {
    const until = Date.now() + READY_WITHIN_MS;
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`token gateway exited with ${child.exitCode} before it was ready:\n${this.output}`);
      }
      const listening = LISTENING.exec(this.output);
      if (listening) {
        this.port = Number(listening[1]);
        if (this.options.ready === "listening" || (await this.healthStatus()) === 200) {
          return;
        }
      }
      if (Date.now() > until) {
        throw new Error(`token gateway not ${this.options.ready ?? "healthy"} within ${READY_WITHIN_MS} ms:\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async healthStatus(): Promise<number | undefined> {
    try {
      const answer = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(1000) });
      await answer.arrayBuffer();
      return answer.status;
    } catch {
      return undefined;
    }
  }
}
