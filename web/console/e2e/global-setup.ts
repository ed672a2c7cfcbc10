/**
 * Starts `python -m local` once for the whole run, exactly as `make run` does, on free ports, with the
 * console on its own port (CONSOLE_PORT, at 127.0.0.1); publishes its URLs, demo accounts and the demo
 * admin's TOTP secret to the workers through the environment.
 */
import { spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";

const ROOT = resolve(__dirname, "../../..");
const START_TIMEOUT_MS = 90_000;

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const [port, moto, ws, stripe, komoju, consolePort] = await Promise.all(Array.from({ length: 6 }, freePort));
  const python = existsSync(resolve(ROOT, ".venv/bin/python")) ? resolve(ROOT, ".venv/bin/python") : "python3";
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_") && !k.startsWith("OSHI_")));
  const child = spawn(python, ["-m", "local"], {
    cwd: ROOT,
    env: {
      ...env,
      PORT: String(port),
      CONSOLE_PORT: String(consolePort),
      MOTO_PORT: String(moto),
      WS_PORT: String(ws),
      STRIPE_STANDIN_PORT: String(stripe),
      KOMOJU_STANDIN_PORT: String(komoju),
      PYTHONUNBUFFERED: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  await new Promise<void>((ready, failed) => {
    const timer = setTimeout(() => failed(new Error(`local stack did not start:\n${lines.slice(-40).join("\n")}`)), START_TIMEOUT_MS);
    let buffer = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      lines.push(...parts);
      if (parts.some((line) => line.startsWith("Ctrl-C to stop."))) {
        clearTimeout(timer);
        ready();
      }
    });
    child.stderr.on("data", (chunk: Buffer) => lines.push(chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      failed(new Error(`local stack exited (${code}):\n${lines.slice(-40).join("\n")}`));
    });
  });
  child.removeAllListeners("exit");
  // OSHI_E2E_LOG=<file>: the stack's own log (handler errors) for debugging a failed run.
  const log = process.env.OSHI_E2E_LOG ? createWriteStream(process.env.OSHI_E2E_LOG) : null;
  child.stdout.removeAllListeners("data");
  child.stderr.removeAllListeners("data");
  if (log) {
    child.stdout.pipe(log);
    child.stderr.pipe(log);
  } else {
    child.stdout.resume();
    child.stderr.resume();
  }

  const accounts: Record<string, { email: string; userId: string; token: string }> = {};
  for (const line of lines) {
    const parts = line.trim().split(/\s+/);
    if (parts.length === 4 && parts[3].startsWith("eyJ")) accounts[parts[0]] = { email: parts[1], userId: parts[2], token: parts[3] };
  }
  const field = (prefix: string) => lines.find((l) => l.trim().startsWith(prefix))?.trim().split(/\s+/) ?? [];
  process.env.OSHI_APP_URL = `http://localhost:${port}`;
  process.env.OSHI_CONSOLE_URL = `http://127.0.0.1:${consolePort}`;
  process.env.OSHI_E2E = JSON.stringify({
    appUrl: `http://localhost:${port}`,
    consoleUrl: `http://127.0.0.1:${consolePort}`,
    totpSecret: (field("admin MFA")[4] ?? "").replace(";", ""),
    stripeUrl: `http://127.0.0.1:${stripe}`,
    komojuUrl: `http://127.0.0.1:${komoju}`,
    gachaId: field("demo gacha")[2],
    soldOutGachaId: field("sold out")[2],
    accounts,
  });
  return async () => {
    child.kill("SIGTERM");
    await new Promise((done) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        done(null);
      }, 10_000);
      child.once("exit", () => {
        clearTimeout(timer);
        done(null);
      });
    });
  };
}
