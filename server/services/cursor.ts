// Opaque keyset cursors: the sort key of the last row a page showed, so the next page starts after it
// however many rows were inserted meanwhile.
import { sql, type AnyColumn, type Placeholder, type SQL } from "drizzle-orm";
import { DomainError } from "../errors";

export interface Cursor {
  at: number;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString("base64url");
}

export function decodeCursor(value: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && typeof parsed[0] === "number" && typeof parsed[1] === "string") {
      return { at: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through: a cursor we did not make
  }
  throw new DomainError("BAD_REQUEST", "error.invalidCursor", "cursor");
}

/**
 * The rows after the cursor in (key, id) order, as a row-value comparison: SQLite seeks straight to it in
 * an index on (…, key, id), where the equivalent `key < at or (key = at and id < id)` walks every row
 * of the earlier pages first.
 */
export function afterCursor(
  key: AnyColumn,
  id: AnyColumn,
  cursor: Cursor | { at: Placeholder; id: Placeholder },
  order: "asc" | "desc",
): SQL {
  return order === "desc"
    ? sql`(${key}, ${id}) < (${cursor.at}, ${cursor.id})`
    : sql`(${key}, ${id}) > (${cursor.at}, ${cursor.id})`;
}
