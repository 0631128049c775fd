import { randomBytes } from "node:crypto";

const ID_BYTES = 15;
/** Random bytes for this many ids are drawn at a time: one call instead of one per id. */
const IDS_PER_DRAW = 256;
let pool = Buffer.alloc(0);
let offset = 0;

/** A random, opaque, URL-safe id (120 bits). Ids never encode order or count. */
export function newId(): string {
  if (offset + ID_BYTES > pool.length) {
    pool = randomBytes(ID_BYTES * IDS_PER_DRAW);
    offset = 0;
  }
  const id = pool.toString("base64url", offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
