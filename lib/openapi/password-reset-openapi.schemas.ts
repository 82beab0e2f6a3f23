import { HttpException, HttpStatus } from '@nestjs/common';
import {
  InvalidResetTokenException,
  PasswordResetBadRequestException,
  PasswordResetThrottledException,
  PasswordResetUnavailableException,
  SecondFactorRequiredException,
} from '../exceptions/password-reset.exceptions.js';
import {
  MAX_LOOKUP_VALUE_LENGTH,
  MAX_PASSWORD_LENGTH,
  MAX_PROOF_LENGTH,
  MAX_TOKEN_LENGTH,
} from '../password-reset.constants.js';

/**
 * OpenAPI 3 schema objects as plain data, so the package's types never name @nestjs/swagger (an optional peer).
 * They mirror the checks of dto/password-reset-bodies.ts. Examples show the default messages: the `messages`
 * option may translate them per request, which cannot be asked outside one.
 */
export type OpenApiSchema = Record<string, unknown>;

export interface PasswordResetApiResponse {
  description: string;
  schema?: OpenApiSchema;
  headers?: Record<string, { description: string; schema: OpenApiSchema }>;
}

export interface PasswordResetApiOperation {
  summary: string;
  description: string;
  /** The request body, for JSON and form-encoded bodies alike, with its example. */
  body: OpenApiSchema;
  responses: Partial<Record<HttpStatus, PasswordResetApiResponse>>;
}

/**
 * What shapes the bodies: the lookup field, the field naming the account when codes are bound to it, and the
 * second factor's proof fields.
 */
export interface PasswordResetBodyFields {
  lookupField: string;
  accountField?: string;
  proofFields?: readonly string[];
}

const TOKEN_EXAMPLE = 'q3Zt8KpW2nXc7VbR5mLd9HsJ4gFy6TaE';
const CODE_EXAMPLE = '482913';
const PASSWORD_EXAMPLE = 'Tr1cky-new-passphrase';

function lookupValueSchema(field: string): OpenApiSchema {
  const email = field === 'email';
  return {
    type: 'string',
    minLength: 1,
    maxLength: MAX_LOOKUP_VALUE_LENGTH,
    ...(email && { format: 'email' }),
    description: `The account's ${field} (case-insensitive; surrounding spaces are trimmed).`,
    example: email ? 'jane@example.com' : 'jane',
  };
}

/**
 * Every field of `properties` required, those of `optional` not (nor in the example), nothing else allowed: the
 * body parser refuses unknown properties with a 400.
 */
function bodySchema(
  properties: Record<string, OpenApiSchema>,
  optional: Record<string, OpenApiSchema> = {},
): OpenApiSchema {
  const example = Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, schema.example]));
  return {
    type: 'object',
    required: Object.keys(properties),
    properties: { ...properties, ...optional },
    additionalProperties: false,
    example,
  };
}

export function requestTokenBodySchema({ lookupField }: PasswordResetBodyFields): OpenApiSchema {
  return bodySchema({ [lookupField]: lookupValueSchema(lookupField) });
}

function tokenFields({ accountField }: PasswordResetBodyFields): Record<string, OpenApiSchema> {
  const token: OpenApiSchema = {
    type: 'string',
    minLength: 1,
    maxLength: MAX_TOKEN_LENGTH,
    description: accountField
      ? `The code sent to the account named by \`${accountField}\`.`
      : 'The token from the reset link or message.',
    example: accountField ? CODE_EXAMPLE : TOKEN_EXAMPLE,
  };
  return { token, ...(accountField && { [accountField]: lookupValueSchema(accountField) }) };
}

export function validateTokenBodySchema(fields: PasswordResetBodyFields): OpenApiSchema {
  return bodySchema(tokenFields(fields));
}

export function confirmResetBodySchema(fields: PasswordResetBodyFields): OpenApiSchema {
  const password: OpenApiSchema = {
    type: 'string',
    minLength: 1,
    maxLength: MAX_PASSWORD_LENGTH,
    format: 'password',
    description: 'The new password, taken exactly as typed; it must pass the password validators.',
    example: PASSWORD_EXAMPLE,
  };
  const proof = Object.fromEntries(
    (fields.proofFields ?? []).map((field) => [
      field,
      {
        type: 'string',
        maxLength: MAX_PROOF_LENGTH,
        description:
          'A second-factor proof (surrounding spaces are trimmed). Required, in one of these fields, for an ' +
          'account enrolled with a second factor; ignored for the others.',
      },
    ]),
  );
  return bodySchema({ ...tokenFields(fields), password }, proof);
}

/**
 * `{"status":"OK"}`, with the account's username and email when `userDetailsOnValidation` is on, and
 * `secondFactorRequired` (present only when true) with `secondFactorOnValidation`.
 */
export function statusSchema(withUserDetails = false, withSecondFactor = false): OpenApiSchema {
  const status = { type: 'string', enum: ['OK'] };
  const detail = { type: 'string', nullable: true };
  const secondFactorRequired = {
    type: 'boolean',
    enum: [true],
    description: 'Present when the confirm must carry a second-factor proof.',
  };
  return {
    type: 'object',
    required: withUserDetails ? ['status', 'username', 'email'] : ['status'],
    properties: {
      status,
      ...(withUserDetails && { username: detail, email: detail }),
      ...(withSecondFactor && { secondFactorRequired }),
    },
    example: withUserDetails ? { status: 'OK', username: 'jane', email: 'jane@example.com' } : { status: 'OK' },
  };
}

/**
 * Nest's standard error body (`statusCode`, `message`, `error`) and any further fields, with the body
 * `exception` answers as example.
 */
function errorSchema(
  exception: HttpException,
  message: OpenApiSchema,
  extra: Record<string, OpenApiSchema> = {},
): OpenApiSchema {
  const example = exception.getResponse() as { statusCode: number; error: string };
  return {
    type: 'object',
    required: ['statusCode', 'message', 'error', ...Object.keys(extra)],
    properties: {
      statusCode: { type: 'integer', enum: [example.statusCode] },
      message,
      error: { type: 'string', enum: [example.error] },
      ...extra,
    },
    example,
  };
}

/** Reasons from the body checks or the password validators; a body that is not JSON gets Nest's single message. */
export function badRequestSchema(exampleReason: string): OpenApiSchema {
  const message = { oneOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }] };
  return errorSchema(new PasswordResetBadRequestException([exampleReason]), message);
}

/** The one body for missing, malformed, expired, used and ineligible-user tokens. */
export function invalidTokenSchema(): OpenApiSchema {
  return errorSchema(new InvalidResetTokenException(), { type: 'string' });
}

/** 403: an enrolled user's confirm without a second-factor proof, or with a wrong one. */
export function secondFactorResponse(): PasswordResetApiResponse {
  return {
    description:
      'The account has a second factor, and the confirm carried no proof or a wrong one: ask for the code and ' +
      'send the confirm again with it. The token is kept, and the attempt counted; the last allowed wrong proof ' +
      'revokes the token (404).',
    schema: errorSchema(
      new SecondFactorRequiredException(),
      { type: 'string' },
      { secondFactorRequired: { type: 'boolean', enum: [true] } },
    ),
  };
}

export function unavailableResponse(): PasswordResetApiResponse {
  return {
    description: 'The throttle storage failed or did not answer in time: nothing was done; try again later.',
    schema: errorSchema(new PasswordResetUnavailableException(), { type: 'string' }),
  };
}

export function throttledResponse(): PasswordResetApiResponse {
  return {
    description: 'Too many requests from this client; try again after `Retry-After` seconds.',
    schema: errorSchema(new PasswordResetThrottledException(), { type: 'string' }),
    headers: {
      'Retry-After': {
        description: 'Seconds until the client may try again.',
        schema: { type: 'integer', minimum: 1 },
      },
    },
  };
}
