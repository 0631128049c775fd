// "Download my data": everything Tengsl holds about the signed-in person, as one JSON file.
import type { APIRoute } from "astro";

export const GET: APIRoute = async ({ locals }) => {
  const data = await locals.trpc.account.exportData();
  const day = new Date().toISOString().slice(0, 10);
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="tengsl-data-${day}.json"`,
      "Cache-Control": "no-store",
    },
  });
};
