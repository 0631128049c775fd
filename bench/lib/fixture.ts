// What the benchmark needs to know about its database: who signs in, the widget site, an API key and
// what to search for. `npm run seed:scale` writes it beside the database as `<db file>.scale.json`.
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { filePathOf } from "../../db/client";

/** The part of `npm run seed:scale`'s file (db/seed/scale.ts, BenchInfo) the benchmark reads. */
export const fixtureSchema = z.object({
  /** Every seeded person's password. */
  password: z.string().min(1),
  /** The big business account, and a customer of it (S1, S2). */
  bigAccount: z.object({ customerEmail: z.string().email() }),
  agentEmail: z.string().email(),
  admin: z.object({ email: z.string().email(), totpSecret: z.string().min(16) }).optional(),
  site: z.object({ publicKey: z.string().min(8) }),
  apiKey: z.object({ key: z.string().min(16) }),
  searchTerms: z.array(z.object({ term: z.string().min(1), rows: z.number() })).min(1),
});
export type Fixture = z.infer<typeof fixtureSchema>;

export const fixturePathOf = (dbUrl: string) => {
  const path = filePathOf(dbUrl);
  if (!path) throw new Error(`The benchmark runs on a file: database (got ${dbUrl}).`);
  return `${path}.scale.json`;
};

export function readFixture(dbUrl: string): Fixture {
  const path = fixturePathOf(dbUrl);
  if (!existsSync(path))
    throw new Error(
      `${path} is missing: make the database with \`npm run seed:scale\` (or \`npm run bench:dev-db\` for a small one).`,
    );
  const parsed = fixtureSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${path}: ${issue?.path.join(".") || "the file"} ${issue?.message ?? "is invalid"}`,
    );
  }
  return parsed.data;
}
