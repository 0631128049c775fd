import { randomBytes } from "node:crypto";

/** base64url's characters in byte order, so a number written with them sorts as the number does. */
export const ORDERED_ALPHABET = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
/** Characters of the time: 64^8 milliseconds reach the year 10889. */
const TIME_CHARS = 8;
/** Random bytes after the time: 72 bits, 12 characters. */
const RANDOM_BYTES = 9;
/** Random bytes for this many ids are drawn at a time: one call instead of one per id. */
const IDS_PER_DRAW = 256;
let pool = Buffer.alloc(0);
let offset = 0;

/**
 * A URL-safe id of 20 characters: the time it was made (milliseconds, 8 characters that sort as the
 * time does), then 72 random bits. New rows therefore append to each primary-key index instead of
 * landing on a random page of it, which a commit must then write out whole (docs/decisions/031). An id
 * is unguessable but not a secret: it tells when its row was made, never a count; access is by the
 * caller's scope (ARCHITECTURE.md, rule 1), and secrets are drawn on their own.
 */
export function newId(now = Date.now()): string {
  if (offset + RANDOM_BYTES > pool.length) {
    pool = randomBytes(RANDOM_BYTES * IDS_PER_DRAW);
    offset = 0;
  }
  let time = "";
  for (let i = 0, t = Math.floor(now); i < TIME_CHARS; i++, t = Math.floor(t / 64))
    time = ORDERED_ALPHABET[t % 64]! + time;
  const id = time + pool.toString("base64url", offset, offset + RANDOM_BYTES);
  offset += RANDOM_BYTES;
  return id;
}
