// What the benchmark needs to know about its database: who signs in, the widget site, an API key and
// what to search for. `npm run seed:scale` writes it beside the database as `<db file>.scale.json`.
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { filePathOf } from "../../db/client";

const person = z.object({ email: z.string().email(), password: z.string().min(1).optional() });

export const fixtureSchema = z.object({
  /** The password of everyone below unless their own entry names one. */
  password: z.string().min(1).optional(),
  /** A contact of a big business account. */
  customer: person,
  agent: person,
  admin: person.extend({ totpKey: z.string().min(16) }).optional(),
  site: z.object({ publicKey: z.string().min(8) }),
  apiKey: z.object({ secret: z.string().min(16) }),
  searchTerms: z.array(z.string().min(1)).min(1),
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

export function passwordOf(fixture: Fixture, who: { password?: string | undefined }): string {
  const password = who.password ?? fixture.password;
  if (!password) throw new Error("The fixture names no password for a person it lists.");
  return password;
}
