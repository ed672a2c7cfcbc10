import { defineConfig } from "vitest/config";

// Every *.test.ts under src/ (format, the generated-client stale check, and the draw verifier's vectors).
export default defineConfig({ test: { include: ["src/**/*.test.ts"], environment: "node" } });
