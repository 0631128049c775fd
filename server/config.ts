// The environment, parsed and validated once at start. Nothing else reads process.env.
import { z } from "zod";

const databaseUrl = z
  .string()
  .trim()
  .refine((v) => /^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/)/.test(v), {
    message: "must start with file:, libsql://, http(s):// or ws(s)://",
  })
  .refine((v) => v !== "file:" && v !== "file://", { message: "names no database file" });

const port = z
  .string()
  .trim()
  .regex(/^\d+$/, { message: "must be a whole number from 0 to 65535" })
  .transform(Number)
  .refine((v) => v <= 65535, { message: "must be a whole number from 0 to 65535" });

const httpUrl = (what: string) =>
  z
    .string()
    .trim()
    .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), {
      message: `must be an http:// or https:// URL ${what}`,
    });

const smtpUrl = z
  .string()
  .trim()
  .refine((v) => URL.canParse(v) && /^smtps?:$/.test(new URL(v).protocol), {
    message:
      "must be an smtp:// or smtps:// URL, for example smtp://user:pass@mail.example.com:587",
  });

const flag = z
  .enum(["true", "false", "1", "0"], { message: "must be true or false" })
  .transform((v) => v === "true" || v === "1");

const envSchema = z.object({
  DATABASE_URL: databaseUrl.default("file:data/tengsl.db"),
  DATABASE_AUTH_TOKEN: z.string().trim().min(1).optional(),
  HOST: z
    .string()
    .trim()
    .regex(/^[\w.:-]+$/, { message: "must be a host name or IP address" })
    .default("localhost"),
  PORT: port.default(4321),
  PUBLIC_URL: httpUrl("(the address people use to reach Tengsl)").optional(),
  SMTP_URL: smtpUrl.optional(),
  MAIL_DIR: z.string().trim().min(1).default("data/mail"),
  FILES_DIR: z.string().trim().min(1).default("data/files"),
  DEMO_PORT: port.default(4322),
  INGEST_RATE_PER_MINUTE: z
    .string()
    .trim()
    .regex(/^[1-9]\d{0,6}$/, { message: "must be a whole number from 1 to 9999999" })
    .transform(Number)
    .default(600),
  WIDGET_RATE_PER_10_MINUTES: z
    .string()
    .trim()
    .regex(/^[1-9]\d{0,6}$/, { message: "must be a whole number from 1 to 9999999" })
    .transform(Number)
    .default(20),
  SEED_DEMO: flag.default(true),
  // More processes than cores only adds contention for the one database file.
  WORKERS: z
    .string()
    .trim()
    .regex(/^([1-9]|[1-5]\d|6[0-4])$/, { message: "must be a whole number from 1 to 64" })
    .transform(Number)
    .default(1),
  NODE_ENV: z.enum(["development", "production", "test"]).optional(),
});

export interface Config {
  databaseUrl: string;
  databaseAuthToken: string | undefined;
  host: string;
  port: number;
  /** The origin people reach Tengsl at; cookies, links and origin checks follow it. */
  publicUrl: URL;
  smtpUrl: string | undefined;
  /** Where mail goes as .eml files when there is no SMTP_URL. */
  mailDir: string;
  /** Port of the demo product page with the widget (another origin); 0 turns it off. */
  demoPort: number;
  /** Where attachments are stored, under random names. */
  filesDir: string;
  /** Requests per minute each ingest API key may make. */
  ingestRatePerMinute: number;
  /** Widget submissions each visitor address may send to one site in 10 minutes. */
  widgetRatePer10Minutes: number;
  seedDemo: boolean;
  /** Server processes (node:cluster) sharing the port and the database; 1 serves in this process. */
  workers: number;
  /** Development: detailed errors in the server log, no CSP (Vite injects inline scripts). */
  dev: boolean;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the environment; throws a ConfigError whose message is one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined>, { dev = false } = {}): Config {
  // An empty variable means "not set", as in most shells' `VAR= command`.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? "environment");
    const value = present[name];
    const shown =
      value === undefined || name.includes("TOKEN") ? "" : ` (got "${redactUrl(value)}")`;
    throw new ConfigError(`${name} ${issue?.message ?? "is invalid"}${shown}`);
  }
  const e = parsed.data;
  const publicUrl = new URL(e.PUBLIC_URL ?? `http://localhost:${e.PORT}`);
  return {
    databaseUrl: e.DATABASE_URL,
    databaseAuthToken: e.DATABASE_AUTH_TOKEN,
    host: e.HOST,
    port: e.PORT,
    publicUrl: new URL(publicUrl.origin),
    smtpUrl: e.SMTP_URL,
    mailDir: e.MAIL_DIR,
    filesDir: e.FILES_DIR,
    demoPort: e.DEMO_PORT,
    ingestRatePerMinute: e.INGEST_RATE_PER_MINUTE,
    widgetRatePer10Minutes: e.WIDGET_RATE_PER_10_MINUTES,
    seedDemo: e.SEED_DEMO,
    workers: e.WORKERS,
    dev: dev || e.NODE_ENV === "development",
  };
}

/** Hides a password inside a URL so it never reaches a log. */
export function redactUrl(value: string): string {
  return value.replace(/\/\/([^:/@]+):([^@]+)@/, "//$1:***@");
}
