/**
 * One of the project's runnable jars as a child process of the tests: `java -jar`, in an empty working
 * directory of its own (so no developer .env is read), with only PATH and the given variables, its
 * stdout and stderr captured.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** How long stop() waits after SIGTERM before SIGKILL. */
const STOP_WITHIN_MS = 10_000;

export class JarProcess {
  private readonly dir: string;
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private captured = "";

  /** Starts the jar named by the environment variable `jarVariable` (Maven sets it). */
  constructor(jarVariable: string, env: Readonly<Record<string, string>>) {
    const jar = process.env[jarVariable];
    if (!jar) {
      throw new Error(`${jarVariable} is not set: run the tests through Maven (./mvnw verify -pl clients/typescript -am)`);
    }
    this.dir = mkdtempSync(join(tmpdir(), "token-service-test-"));
    this.child = spawn(process.env.JAVA ?? "java", ["-XX:TieredStopAtLevel=1", "-Xmx256m", "-jar", jar], {
      cwd: this.dir,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const child = this.child;
    this.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    child.stdout!.setEncoding("utf8").on("data", (s: string) => (this.captured += s));
    child.stderr!.setEncoding("utf8").on("data", (s: string) => (this.captured += s));
  }

  /** Everything the process wrote so far, stdout and stderr interleaved. */
  get output(): string {
    return this.captured;
  }

  /** Its exit code once it has exited, else null. */
  get exitCode(): number | null {
    return this.child.exitCode;
  }

  /** Ends it at once (a start that failed). */
  kill(): void {
    this.child.kill("SIGKILL");
  }

  /** SIGTERM, then SIGKILL if it is still running after 10 s; removes its working directory. */
  async stop(): Promise<void> {
    const p = this.child;
    if (p.exitCode === null && p.signalCode === null) {
      p.kill("SIGTERM");
      const timer = setTimeout(() => p.kill("SIGKILL"), STOP_WITHIN_MS);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
