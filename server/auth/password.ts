// Password hashing with argon2id (OWASP's minimum: 19 MiB memory, 2 passes, 1 lane), through a native
// binding that installs from the registry without downloads.
import { hash, verify } from "@node-rs/argon2";

// Algorithm.Argon2id is an ambient const enum, which verbatimModuleSyntax cannot import; 2 is its value.
const ARGON2ID = 2;
const params = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const PASSWORD_MIN_LENGTH = 10;
// argon2 takes any length; the bound keeps a request from making the server hash megabytes.
export const PASSWORD_MAX_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, params);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false; // a malformed stored hash never signs anyone in
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the time a real verification takes, so that "no such user" and "wrong password" cannot be
 * told apart by how long sign-in takes.
 */
export async function verifyNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword("tengsl-timing-equaliser");
  await verifyPassword(await dummyHash, password);
  return false;
}
