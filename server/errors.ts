// Domain errors: services throw these with an i18n message key; the procedure builders
// (server/trpc.ts) map them to tRPC codes, and describeError turns any error into what a form or API
// client may see (never a stack).
import { TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import type { MessageKey } from "../site/i18n";

export type DomainErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "UNPROCESSABLE_CONTENT"
  | "TOO_MANY_REQUESTS";

export class DomainError extends Error {
  override name = "DomainError";
  constructor(
    readonly code: DomainErrorCode,
    readonly messageKey: MessageKey,
    /** The input field the error belongs to, so a form can show it beside that field. */
    readonly field?: string,
    /** For TOO_MANY_REQUESTS: whole seconds until a retry may succeed (the doors' Retry-After). */
    readonly retryAfter?: number,
  ) {
    super(messageKey);
  }
}

/** The tRPC error for a failed procedure whose cause is a domain error: same code, the key as message. */
export function asTRPCError(error: TRPCError): TRPCError {
  const cause = error.cause;
  return cause instanceof DomainError ? trpcErrorOf(cause) : error;
}

/** A domain error as the tRPC error of the same code, its message the message key. */
export const trpcErrorOf = (error: DomainError) =>
  new TRPCError({ code: error.code, message: error.messageKey, cause: error });

export const notFound = () => new DomainError("NOT_FOUND", "error.notFound");

/** What a caller may learn about an error: a message key, and message keys per input field. */
export interface ErrorDescription {
  messageKey: MessageKey;
  fieldErrors: Record<string, MessageKey[]>;
  /** Seconds to wait before trying again, when the error is a throttle's refusal. */
  retryAfter?: number;
}

const codeMessages: Partial<Record<TRPCError["code"], MessageKey>> = {
  UNAUTHORIZED: "error.unauthorized",
  FORBIDDEN: "error.forbidden",
  NOT_FOUND: "error.notFound",
  TOO_MANY_REQUESTS: "error.tooManyRequests",
  PAYLOAD_TOO_LARGE: "error.tooLarge",
};

export function describeError(error: unknown): ErrorDescription {
  const cause = error instanceof TRPCError ? error.cause : error;
  if (cause instanceof DomainError) {
    return {
      messageKey: cause.messageKey,
      fieldErrors: cause.field ? { [cause.field]: [cause.messageKey] } : {},
      ...(cause.retryAfter === undefined ? {} : { retryAfter: cause.retryAfter }),
    };
  }
  if (cause instanceof ZodError) {
    const fieldErrors: Record<string, MessageKey[]> = {};
    for (const issue of cause.issues) {
      const field = issue.path.map(String).join(".") || "_";
      (fieldErrors[field] ??= []).push(asMessageKey(issue.message));
    }
    return { messageKey: "error.invalidInput", fieldErrors };
  }
  const code = error instanceof TRPCError ? error.code : "INTERNAL_SERVER_ERROR";
  return { messageKey: codeMessages[code] ?? "error.unexpected", fieldErrors: {} };
}

/** Input schemas give catalog keys as messages; zod's own English defaults map to a generic key. */
function asMessageKey(message: string): MessageKey {
  return /^[a-z]+\.[A-Za-z.]+$/.test(message) ? (message as MessageKey) : "error.invalidField";
}

/**
 * What both tRPC doors send for an error: the message key, field errors and the HTTP status; never a
 * stack or an internal message.
 */
export function errorShape({
  shape,
  error,
}: {
  shape: { code: number; data: { code: string; httpStatus: number; path?: string } };
  error: TRPCError;
}) {
  const { messageKey, fieldErrors, retryAfter } = describeError(error);
  return {
    message: messageKey,
    code: shape.code,
    data: {
      code: shape.data.code,
      httpStatus: shape.data.httpStatus,
      path: shape.data.path,
      messageKey,
      fieldErrors,
      retryAfter,
    },
  };
}

/** The Retry-After seconds of the longest throttle refusal among a response's errors, if any. */
export function retryAfterOf(errors: readonly TRPCError[]): number | undefined {
  const waits = errors.flatMap((e) =>
    e.cause instanceof DomainError && e.cause.retryAfter !== undefined ? [e.cause.retryAfter] : [],
  );
  return waits.length > 0 ? Math.max(...waits) : undefined;
}
