/**
 * The real gateway for the tests: `java -jar gateway/target/token-gateway.jar` as a process on a port of
 * 127.0.0.1 it picks itself (GATEWAY_PORT=0, read back from its start-up line), forwarding to a RealServer.
 * Ready when GET /health answers 200, i.e. the token server behind it serves.
 */
import { JarProcess } from "./jar-process.js";
import type { RealServer } from "./server.js";

const READY_WITHIN_MS = 60_000;
const LISTENING = /token gateway listening on http port (\d+)/;

export interface GatewayOptions {
  /** GATEWAY_STATIC_DIR: the directory served at "/". */
  readonly staticDir?: string;
}

export class RealGateway {
  private process: JarProcess | undefined;
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
    return this.process?.output ?? "";
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }

  private async launch(): Promise<void> {
    const env: Record<string, string> = {
      GATEWAY_PORT: "0",
      GATEWAY_BIND_ADDRESS: "127.0.0.1",
      TOKEN_SERVICE_TARGET: `127.0.0.1:${this.server.port}`,
      GATEWAY_SHUTDOWN_GRACE_SECONDS: "1",
    };
    if (this.options.staticDir !== undefined) {
      env.GATEWAY_STATIC_DIR = this.options.staticDir;
    }
    this.process = new JarProcess("TOKEN_GATEWAY_JAR", env);
    try {
      await this.waitUntilReady(this.process);
    } catch (e) {
      this.process.kill();
      throw e;
    }
  }

  private async waitUntilReady(child: JarProcess): Promise<void> {
    const until = Date.now() + READY_WITHIN_MS;
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`token gateway exited with ${child.exitCode} before it was ready:\n${child.output}`);
      }
      const listening = LISTENING.exec(child.output);
      if (listening) {
        this.port = Number(listening[1]);
        if ((await this.healthStatus()) === 200) {
          return;
        }
      }
      if (Date.now() > until) {
        throw new Error(`token gateway not healthy within ${READY_WITHIN_MS} ms:\n${child.output}`);
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
