import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";

const errorOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("loadConfig", () => {
  it("has defaults that serve the demo on localhost:4321 with an embedded database", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      databaseUrl: "file:data/tengsl.db",
      databaseAuthToken: undefined,
      host: "localhost",
      port: 4321,
      smtpUrl: undefined,
      seedDemo: true,
      widgetRatePer10Minutes: 20,
      workers: 1,
      dev: false,
    });
    expect(config.publicUrl.href).toBe("http://localhost:4321/");
  });

  it("reads every variable", () => {
    const config = loadConfig({
      DATABASE_URL: "libsql://tengsl.example.turso.io",
      DATABASE_AUTH_TOKEN: "secret",
      HOST: "0.0.0.0",
      PORT: "8080",
      PUBLIC_URL: "https://portal.example.com/some/path",
      SMTP_URL: "smtp://user:pass@mail.example.com:587",
      SEED_DEMO: "false",
      WIDGET_RATE_PER_10_MINUTES: "5000",
      WORKERS: "4",
    });
    expect(config).toMatchObject({
      databaseUrl: "libsql://tengsl.example.turso.io",
      databaseAuthToken: "secret",
      host: "0.0.0.0",
      port: 8080,
      smtpUrl: "smtp://user:pass@mail.example.com:587",
      seedDemo: false,
      widgetRatePer10Minutes: 5000,
      workers: 4,
    });
    // Only the origin matters: cookies, links and origin checks are made from it.
    expect(config.publicUrl.href).toBe("https://portal.example.com/");
  });

  it("treats an empty variable as unset", () => {
    expect(loadConfig({ PORT: "", DATABASE_URL: "" }).port).toBe(4321);
  });

  it.each([
    [{ PORT: "abc" }, /^PORT must be a whole number from 0 to 65535 \(got "abc"\)$/],
    [{ PORT: "70000" }, /^PORT must be a whole number/],
    [{ PORT: "-1" }, /^PORT must be a whole number/],
    [{ PORT: "80.5" }, /^PORT must be a whole number/],
    [{ DATABASE_URL: "mysql://db" }, /^DATABASE_URL must start with file:, libsql:\/\//],
    [{ DATABASE_URL: "file:" }, /^DATABASE_URL names no database file/],
    [{ PUBLIC_URL: "portal.example.com" }, /^PUBLIC_URL must be an http:\/\/ or https:\/\/ URL/],
    [
      { PUBLIC_URL: "ftp://portal.example.com" },
      /^PUBLIC_URL must be an http:\/\/ or https:\/\/ URL/,
    ],
    [{ SMTP_URL: "http://mail.example.com" }, /^SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/],
    [{ SEED_DEMO: "maybe" }, /^SEED_DEMO must be true or false/],
    [{ HOST: "bad host" }, /^HOST must be a host name or IP address/],
    [{ NODE_ENV: "staging" }, /^NODE_ENV /],
    [{ WIDGET_RATE_PER_10_MINUTES: "0" }, /^WIDGET_RATE_PER_10_MINUTES must be a whole number/],
    [{ WIDGET_RATE_PER_10_MINUTES: "lots" }, /^WIDGET_RATE_PER_10_MINUTES must be a whole/],
    [{ WORKERS: "0" }, /^WORKERS must be a whole number from 1 to 64 \(got "0"\)$/],
    [{ WORKERS: "65" }, /^WORKERS must be a whole number from 1 to 64/],
    [{ WORKERS: "2.5" }, /^WORKERS must be a whole number from 1 to 64/],
    [{ WORKERS: "many" }, /^WORKERS must be a whole number from 1 to 64/],
  ])("refuses %j with one line naming the variable", (env, message) => {
    const text = errorOf(env);
    expect(text).toMatch(message);
    expect(text).not.toContain("\n");
  });

  it("never repeats a password or token from the environment", () => {
    expect(errorOf({ SMTP_URL: "ftp://user:hunter2@mail.example.com" })).not.toContain("hunter2");
    expect(errorOf({ DATABASE_AUTH_TOKEN: " " })).toMatch(/^DATABASE_AUTH_TOKEN /);
  });
});
