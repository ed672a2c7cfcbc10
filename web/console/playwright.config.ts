import { defineConfig, devices } from "@playwright/test";

/**
 * The console's browser tests against the REAL local stack (`python -m local` on free ports, demo data;
 * no mocked API), which serves the built console (web/console/out) on its own port at 127.0.0.1 with /api
 * on that port too. Desktop only: the console is a workstation tool (it still reflows, see @oshi/shared/ui/base.css and globals.css).
 */
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const launchOptions = {
  executablePath,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--metrics-recording-only",
    "--mute-audio",
  ],
};

export default defineConfig({
  testDir: "./e2e",
  globalSetup: "./e2e/global-setup.ts",
  fullyParallel: false,
  workers: 1, // one story in order: the applicant, the admin, the studio, the fan, the refund
  retries: 0,
  // Sign-in is limited to 20 a minute per source IP and every test signs in from 127.0.0.1: a test may
  // wait out up to one fixed window (60 s) before its sign-in is accepted (support.ts), so allow for it.
  timeout: 120_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: process.env.OSHI_CONSOLE_URL,
    locale: "ja-JP",
    timezoneId: "Asia/Tokyo",
    trace: "off",
    launchOptions,
  },
  projects: [
    { name: "desktop", use: { ...devices["Desktop Chrome"], launchOptions } },
  ],
});
