import { randomBytes } from "node:crypto";

/** A random, opaque, URL-safe id (120 bits). Ids never encode order or count. */
export function newId(): string {
  return randomBytes(15).toString("base64url");
}
