// `npm run bench:dev-db [-- --orders N] [file]`: a small database to develop the benchmark on, with its
// fixture file. The real runs use `npm run seed:scale`.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { makeDevDb } from "./lib/dev-db";

const { values, positionals } = parseArgs({
  options: { orders: { type: "string", default: "2000" } },
  allowPositionals: true,
});
const file = positionals[0] ?? "data/bench-dev.db";
const orders = Number(values.orders);
if (!Number.isInteger(orders) || orders < 0) {
  console.error("--orders must be a whole number");
  process.exit(2);
}
if (existsSync(file)) {
  console.error(`${file} exists already: remove it (and its .scale.json) or name another file.`);
  process.exit(2);
}
const started = Date.now();
await makeDevDb(`file:${file}`, { orders });
console.log(
  `Made ${file} with ${orders} extra orders in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
);
