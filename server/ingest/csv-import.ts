// First bulk loads from CSV files: rows become the same bodies the ingest API takes, validated by the
// same schemas and stored by the same upserts. A bad record is reported and skipped; the rest go in.
import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import type { ZodType } from "zod";
import type { Db } from "../../db/client";
import { translator } from "../../site/i18n";
import { DomainError } from "../errors";
import {
  customerBody,
  externalId,
  orderBody,
  upsertCustomer,
  upsertOrder,
  type UpsertResult,
} from "../services/ingest";

export type ImportKind = "customers" | "orders";

export interface ImportSummary {
  kind: ImportKind;
  records: number;
  created: number;
  updated: number;
  unchanged: number;
  ignored: number;
  skipped: { line: number; id: string; reason: string }[];
}

type Row = Record<string, string>;

/** Columns that tell the two files apart, and that each file needs. */
export const requiredColumns: Record<ImportKind, string[]> = {
  customers: ["externalId", "kind", "name"],
  orders: [
    "externalId",
    "customerId",
    "number",
    "status",
    "currency",
    "subtotal",
    "total",
    "placedAt",
    "updatedAt",
    "sku",
    "itemName",
    "quantity",
    "unitPrice",
    "lineTotal",
  ],
};

const english = translator("en");

export async function importCsv(
  db: Db,
  path: string,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<ImportSummary> {
  const { kind, groups } = await readGroups(path);
  const summary: ImportSummary = {
    kind,
    records: groups.length,
    created: 0,
    updated: 0,
    unchanged: 0,
    ignored: 0,
    skipped: [],
  };
  let done = 0;
  for (const { id, line, rows } of groups) {
    try {
      const validId = externalId.safeParse(id);
      if (!validId.success)
        throw new Skip(`externalId: ${validId.error.issues[0]?.message ?? "invalid"}`);
      const result: UpsertResult =
        kind === "customers"
          ? await upsertCustomer(db, id, validate(customerBody, toCustomer(rows)))
          : await upsertOrder(db, id, validate(orderBody, toOrder(rows)));
      summary[result.result]++;
    } catch (error) {
      summary.skipped.push({ line, id, reason: reasonOf(error) });
    }
    onProgress(++done, groups.length);
  }
  return summary;
}

class Skip extends Error {}

function reasonOf(error: unknown): string {
  if (error instanceof Skip) return error.message;
  if (error instanceof DomainError)
    return `${error.field ? `${error.field}: ` : ""}${english(error.messageKey)}`;
  throw error;
}

function validate<T>(schema: ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new Skip(
    parsed.error.issues.map((i) => `${i.path.join(".") || "(record)"}: ${i.message}`).join("; "),
  );
}

/** Reads the file and groups its rows by externalId (one record may span several rows). */
async function readGroups(path: string) {
  const parser = createReadStream(path).pipe(
    parse({ columns: true, bom: true, trim: true, skip_empty_lines: true, info: true }),
  );
  const groups = new Map<string, { id: string; line: number; rows: Row[] }>();
  let kind: ImportKind | undefined;
  for await (const { record: row, info } of parser as AsyncIterable<{
    record: Row;
    info: { lines: number };
  }>) {
    kind ??= kindOf(Object.keys(row));
    const id = row.externalId ?? "";
    const group = groups.get(id) ?? { id, line: info.lines, rows: [] };
    group.rows.push(row);
    groups.set(id, group);
  }
  if (!kind) throw new Error(`${path} has no rows.`);
  return { kind, groups: [...groups.values()] };
}

function kindOf(columns: string[]): ImportKind {
  const kind: ImportKind = columns.includes("customerId") ? "orders" : "customers";
  const missing = requiredColumns[kind].filter((c) => !columns.includes(c));
  if (missing.length > 0)
    throw new Error(`The ${kind} file lacks the column(s) ${missing.join(", ")}.`);
  return kind;
}

const optional = (value: string | undefined) =>
  value === undefined || value === "" ? undefined : value;
/** Numbers stay numbers; anything else is passed on for the schema to refuse with a clear reason. */
const numeric = (value: string | undefined) => {
  const v = optional(value);
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : v;
};
const time = (value: string | undefined) => {
  const v = optional(value);
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : v;
};

function toCustomer(rows: Row[]) {
  const first = rows[0]!;
  return {
    kind: first.kind,
    name: first.name,
    contacts: rows
      .filter((r) => optional(r.contactEmail))
      .map((r) => ({
        email: r.contactEmail,
        name: optional(r.contactName) ?? r.contactEmail,
        isAdmin: /^(true|1|yes)$/i.test(r.contactIsAdmin ?? ""),
      })),
  };
}

function toOrder(rows: Row[]) {
  const first = rows[0]!;
  const shipped = rows.find((r) => optional(r.carrier));
  return {
    customerId: first.customerId,
    number: first.number,
    status: first.status,
    currency: first.currency,
    subtotal: numeric(first.subtotal),
    shipping: numeric(first.shipping),
    tax: numeric(first.tax),
    discount: numeric(first.discount),
    total: numeric(first.total),
    placedAt: time(first.placedAt),
    updatedAt: time(first.updatedAt),
    placedBy: optional(first.placedByEmail)
      ? { email: first.placedByEmail, name: optional(first.placedByName) }
      : undefined,
    shippingAddress: optional(first.shipLine1)
      ? {
          name: first.shipName,
          line1: first.shipLine1,
          line2: optional(first.shipLine2),
          postalCode: first.shipPostalCode,
          city: first.shipCity,
          country: first.shipCountry,
        }
      : undefined,
    items: rows.map((r) => ({
      sku: r.sku,
      name: r.itemName,
      quantity: numeric(r.quantity),
      unitPrice: numeric(r.unitPrice),
      lineTotal: numeric(r.lineTotal),
    })),
    shipments: shipped
      ? [
          {
            carrier: shipped.carrier,
            trackingNumber: optional(shipped.trackingNumber),
            status: shipped.shipmentStatus,
            shippedAt: time(shipped.shippedAt),
            deliveredAt: time(shipped.deliveredAt),
          },
        ]
      : [],
  };
}
