import { HttpException } from '@nestjs/common';
import { GraphQLError } from 'graphql';

/** The `extensions.code` of each HTTP status the flow answers with (Apollo's names where it has one). */
const CODES: Readonly<Record<number, string>> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/** What a GraphQL error says elsewhere (its message, its code) or not at all. */
const REST_ONLY_KEYS = new Set(['statusCode', 'message', 'error']);

/** A GraphQL error with the module's message and a code, the way every password-reset failure is answered. */
export function passwordResetGraphQLError(message: string, code: string, extensions: object = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/**
 * An HTTP exception of the flow (or of a PreReset listener) as the GraphQL error a client reads: the REST body's
 * message, and its reasons as `extensions.reasons` when it lists several. Anything else is left to the server.
 */
export function toPasswordResetGraphQLError(error: unknown): unknown {
  if (!(error instanceof HttpException) || !Object.hasOwn(CODES, error.getStatus())) return error;
  const body = error.getResponse();
  const message: unknown = typeof body === 'object' && 'message' in body ? body.message : body;
  // What the REST body says beyond status and message (the 403's secondFactorRequired) goes along.
  const more = Object.fromEntries(
    Object.entries(typeof body === 'object' ? body : {}).filter(([key]) => !REST_ONLY_KEYS.has(key)),
  );
  if (!Array.isArray(message)) return passwordResetGraphQLError(String(message), CODES[error.getStatus()], more);
  const reasons = message.map(String);
  return passwordResetGraphQLError(reasons.join('; '), CODES[error.getStatus()], { ...more, reasons });
}
