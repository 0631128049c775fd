// Server-rendered forms: read the posted fields, call the router, and turn a failure into messages a
// form shows beside each field and in a summary at the top.
import type { MessageKey } from "../i18n";

export interface FormErrors {
  /** The message for the whole form, shown in the summary. */
  form: MessageKey | null;
  fields: Record<string, MessageKey[]>;
  /** Values the form message names (the wait's length). */
  formParams?: Record<string, number>;
  /** Seconds until the form may be sent again, when a throttle refused it. */
  retryAfter?: number;
}

export const noErrors: FormErrors = { form: null, fields: {} };

export function formErrors(locals: App.Locals, error: unknown): FormErrors {
  const { messageKey, fieldErrors, retryAfter } = locals.services.describeError(error);
  if (messageKey === "error.unexpected") console.error("Form submission failed:", error);
  if (retryAfter !== undefined) return { ...waitMessage(retryAfter), fields: {}, retryAfter };
  const hasFields = Object.keys(fieldErrors).length > 0;
  return { form: hasFields ? null : messageKey, fields: fieldErrors };
}

/** "Try again in N seconds/minutes": whole minutes from a minute and a half on. */
export function waitMessage(seconds: number): { form: MessageKey; formParams: { n: number } } {
  if (seconds <= 1) return { form: "throttle.waitSecond", formParams: { n: 1 } };
  if (seconds < 90) return { form: "throttle.waitSeconds", formParams: { n: seconds } };
  return { form: "throttle.waitMinutes", formParams: { n: Math.ceil(seconds / 60) } };
}

/** A failed form answers 400, or 429 with Retry-After when a throttle refused it. */
export function answerFailure(
  response: { status?: number; headers: Headers },
  errors: Pick<FormErrors, "retryAfter">,
): void {
  response.status = errors.retryAfter === undefined ? 400 : 429;
  if (errors.retryAfter !== undefined)
    response.headers.set("Retry-After", String(errors.retryAfter));
}

/** The posted form's text fields. Files and repeated names are ignored; a body that is no form is empty. */
export async function readForm(request: Request): Promise<Record<string, string>> {
  let data: FormData;
  try {
    data = await request.formData();
  } catch {
    return {};
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of data) if (typeof value === "string") fields[name] ??= value;
  return fields;
}

/** A posted multipart form: its text fields, and its files as bytes (empty file inputs are skipped). */
export async function readMultipart(request: Request): Promise<{
  fields: Record<string, string>;
  files: { name: string; data: Uint8Array<ArrayBuffer> }[];
}> {
  let data: FormData;
  try {
    data = await request.formData();
  } catch {
    return { fields: {}, files: [] };
  }
  const fields: Record<string, string> = {};
  const files: { name: string; data: Uint8Array<ArrayBuffer> }[] = [];
  for (const [name, value] of data) {
    if (typeof value === "string") fields[name] ??= value;
    else if (value.size > 0 || value.name)
      files.push({ name: value.name || "file", data: new Uint8Array(await value.arrayBuffer()) });
  }
  return { fields, files };
}
