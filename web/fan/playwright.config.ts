import { defineConfig, devices } from "@playwright/test";

/**
 * Browser tests against the REAL local stack (`python -m local` on free ports, demo data; no mocked API),
 * which also serves the built app (web/fan/out) at the same origin. Only the system Chromium exists on
 * these machines: device emulation gives the desktop and phone projects.
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
  workers: Number(process.env.PW_WORKERS ?? 2),
  retries: 0,
  // Sign-in is limited to 20 a minute per source IP and every test signs in from 127.0.0.1: a test may
  // wait out up to one fixed window (60 s) before its sign-in is accepted (support.ts), so allow for it.
  timeout: 120_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: process.env.OSHI_APP_URL,
    locale: "ja-JP",
    timezoneId: "Asia/Tokyo",
    trace: "off",
    launchOptions,
  },
  projects: [
    { name: "desktop", use: { ...devices["Desktop Chrome"], launchOptions } },
    { name: "pixel7", use: { ...devices["Pixel 7"], launchOptions } },
  ],
});
