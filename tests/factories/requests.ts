import type { Db } from "../../db/client";
import { newId } from "../../db/ids";
import { upsertCustomer } from "../../server/services/ingest";
import { createUser } from "./people";

/** Two business accounts with a contact each, an agent and an admin: the cast of most request tests. */
export async function supportCast(db: Db) {
  const a = await upsertCustomer(db, `A-${newId()}`, {
    kind: "business",
    name: "Account A ehf.",
    contacts: [],
  });
  const b = await upsertCustomer(db, `B-${newId()}`, {
    kind: "business",
    name: "Account B ehf.",
    contacts: [],
  });
  return {
    accountA: a.id,
    accountB: b.id,
    alda: await createUser(db, { accountId: a.id, name: "Alda A" }),
    atli: await createUser(db, { accountId: a.id, name: "Atli A" }),
    bara: await createUser(db, { accountId: b.id, name: "Bára B" }),
    agent: await createUser(db, { role: "agent", name: "Sigga Agent" }),
    admin: await createUser(db, { role: "admin", name: "Ari Admin" }),
  };
}

export const pngBytes = () =>
  new Uint8Array([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
  ]);
/** A Windows executable's first bytes ("MZ"), whatever it is called. */
export const exeBytes = () =>
  new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0xff, 0xff]);
