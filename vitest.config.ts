import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          // Unit tests sit beside the code; integration tests use real libSQL files in a temp dir.
          include: [
            "server/**/*.test.ts",
            "db/**/*.test.ts",
            "site/**/*.test.ts",
            "widget/**/*.test.ts",
            "tests/integration/**/*.test.ts",
            "bench/**/*.test.ts",
          ],
          setupFiles: ["tests/setup/fail-on-console-error.ts"],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "e2e",
          // HTTP and browser tests against the built server (npm run build first), started once.
          include: ["tests/e2e/**/*.test.ts"],
          globalSetup: ["tests/setup/built-server.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
