// Liveness answers and the benchmark's floors (bench/README.md): what the framework costs with no
// business logic, so each scenario can be compared with it on the same machine in the same run.
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";

export const PROBE_ROWS = 20;

/**
 * Twenty rows from the database that touch no table: the cost of one query and its mapping, and
 * nothing about anybody's data, so it is safe to answer anyone.
 */
export async function probeRows(db: Db): Promise<{ n: number; label: string }[]> {
  return db.all<{ n: number; label: string }>(
    sql`with recursive probe(n) as (select 1 union all select n + 1 from probe where n < ${PROBE_ROWS})
        select n, 'row ' || n as label from probe`,
  );
}
