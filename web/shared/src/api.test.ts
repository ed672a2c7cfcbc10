/** The committed client types are the ones docs/openapi.json generates (like the Python stale check). */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { describe, expect, it } from "vitest";

const here = resolve(__dirname);
const root = resolve(here, "../../..");

describe("api.d.ts", () => {
  it("is up to date with docs/openapi.json (run `npm run generate -w web/shared`)", () => {
    const out = join(mkdtempSync(join(tmpdir(), "oshi-api-")), "api.d.ts");
    const cli = resolve(root, "node_modules/openapi-typescript/bin/cli.js");
    execFileSync(process.execPath, [cli, resolve(root, "docs/openapi.json"), "-o", out], { stdio: "pipe" });
    expect(readFileSync(resolve(here, "api.d.ts"), "utf8")).toBe(readFileSync(out, "utf8"));
  }, 30_000);
});
