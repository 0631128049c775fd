// Pages that show one record answer 404 when the router says the caller may not see it (another
// account's order or request looks exactly like one that does not exist).
export const isNotFound = (locals: App.Locals, error: unknown) =>
  locals.services.describeError(error).messageKey === "error.notFound";

/** The record, or null when the caller may not see it; any other error is thrown on. */
export async function orNotFound<T>(locals: App.Locals, load: Promise<T>): Promise<T | null> {
  try {
    return await load;
  } catch (error) {
    if (isNotFound(locals, error)) return null;
    throw error;
  }
}
