/**
 * Real headless Chromium for the page tests: Debian's /usr/bin/chromium (scripts/install-test-tools
 * installs it; CHROMIUM overrides the path) driven by playwright-core, which never downloads a browser.
 */
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";

const EXECUTABLE = process.env.CHROMIUM ?? "/usr/bin/chromium";
/** No sandbox (CI runs as root), and nothing the browser would fetch from the internet on its own. */
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync"];
const STEP_TIMEOUT_MS = 20_000;

export class HeadlessChromium {
  private constructor(
    private readonly browser: Browser,
    /** One context for all pages: a new page in it costs a fraction of a new context. */
    private readonly context: BrowserContext,
    /** A blank page opened at launch (the first page of a browser is the slow one), for the first open(). */
    private spare: Page | undefined,
  ) {}

  static async launch(): Promise<HeadlessChromium> {
    const browser = await chromium.launch({ executablePath: EXECUTABLE, args: FLAGS, headless: true });
    const context = await browser.newContext({ viewport: { width: 1100, height: 1000 } });
    return new HeadlessChromium(browser, context, await context.newPage());
  }

  /** Opens `url` in a new page; `problems` collects every script error and console error it reports. */
  async open(url: string): Promise<{ page: Page; problems: string[] }> {
    const page = this.spare ?? (await this.context.newPage());
    this.spare = undefined;
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => void (m.type() === "error" && problems.push(`console: ${m.text()}`)));
    await page.goto(url);
    return { page, problems };
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
