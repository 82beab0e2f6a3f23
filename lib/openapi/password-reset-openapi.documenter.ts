import { HttpStatus, Inject, Injectable, Type } from '@nestjs/common';
import { PASSWORD_RESET_OPTIONS } from '../password-reset.constants.js';
import type { PasswordResetController } from '../password-reset.controller.js';
import type { ResolvedPasswordResetOptions } from '../password-reset.options.js';
import { PasswordResetService } from '../password-reset.service.js';
import { DEFAULT_MESSAGES } from '../password-reset.messages.js';
import { importOptional } from '../utils/optional-import.util.js';
import {
  badRequestSchema,
  confirmResetBodySchema,
  invalidTokenSchema,
  PasswordResetApiOperation,
  PasswordResetApiResponse,
  PasswordResetBodyFields,
  requestTokenBodySchema,
  secondFactorResponse,
  statusSchema,
  throttledResponse,
  unavailableResponse,
  validateTokenBodySchema,
} from './password-reset-openapi.schemas.js';

/** Only the decorators are used; the type stays out of the declarations users compile against. */
type Swagger = Pick<
  typeof import('@nestjs/swagger'),
  'ApiBody' | 'ApiConsumes' | 'ApiHeader' | 'ApiOperation' | 'ApiResponse'
>;

/** A request header as the document shows it (the shape of @nestjs/swagger's `ApiHeader`, kept out of the types). */
export interface PasswordResetApiHeader {
  name: string;
  required: boolean;
  description: string;
  schema: { type: 'string'; example: string };
}

export type PasswordResetHandlerName = 'requestToken' | 'validateToken' | 'confirmReset';

/** Form-encoded bodies are read like JSON ones (the README's HTTP contract). */
const REQUEST_CONTENT_TYPES = ['application/json', 'application/x-www-form-urlencoded'];

/**
 * Describes the mounted endpoints in the app's OpenAPI document when @nestjs/swagger (an optional peer) is
 * installed; without it, does nothing. Runs once the options are resolved, so the document shows the
 * configured lookup field, account binding, user details and rate limits. Subclass it (and pass it in
 * `extraProviders`) to change what the document says.
 */
@Injectable()
export class PasswordResetOpenApiDocumenter {
  protected readonly swaggerPackage: string = '@nestjs/swagger';

  constructor(
    @Inject(PASSWORD_RESET_OPTIONS) protected readonly options: ResolvedPasswordResetOptions,
    protected readonly service: PasswordResetService,
  ) {}

  /** Decorates the controller's handlers; resolves to false when @nestjs/swagger is not installed. */
  async document(controller: Type<PasswordResetController>): Promise<boolean> {
    const swagger = await importOptional<Swagger>(this.swaggerPackage);
    if (!swagger) return false;
    const acceptLanguage = swagger.ApiHeader(this.acceptLanguageHeader());
    for (const [name, operation] of Object.entries(this.operations()) as [
      PasswordResetHandlerName,
      PasswordResetApiOperation,
    ][]) {
      decorateHandler(swagger, controller, name, operation, [acceptLanguage]);
    }
    return true;
  }

  /** Every route answers its messages in the language `Accept-Language` picks among the configured locales. */
  protected acceptLanguageHeader(): PasswordResetApiHeader {
    const locales = Object.keys(this.options.translations);
    return {
      name: 'Accept-Language',
      required: false,
      description:
        `The language of the error messages, best match with q-values and language-range fallback (pt-PT gets pt-BR) ` +
        `among ${locales.join(', ')}; anything else gets ${this.options.defaultLocale}.`,
      schema: { type: 'string', example: 'pt-BR, en;q=0.8' },
    };
  }

  protected operations(): Record<PasswordResetHandlerName, PasswordResetApiOperation> {
    const { lookupField, noInformationLeakage, userDetailsOnValidation, secondFactorOnValidation, throttle } =
      this.options;
    const { proofFields } = this.service;
    const fields: PasswordResetBodyFields = {
      lookupField,
      accountField: this.service.tokensBoundToAccount ? lookupField : undefined,
      proofFields,
    };
    const ok = (schema = statusSchema()): PasswordResetApiResponse => ({ description: 'Done.', schema });
    const invalidToken: PasswordResetApiResponse = {
      description: 'The token is missing, malformed, expired, used, or its account may not reset (one answer for all).',
      schema: invalidTokenSchema(),
    };
    // Any limit counted means a storage that may fail (503); only a per-client one refuses with a 429.
    const throttled = (perClient: boolean, counted = perClient) => ({
      ...(perClient ? { [HttpStatus.TOO_MANY_REQUESTS]: throttledResponse() } : {}),
      ...(counted ? { [HttpStatus.SERVICE_UNAVAILABLE]: unavailableResponse() } : {}),
    });
    const account = fields.accountField ? ` and the \`${fields.accountField}\` it was requested for` : '';
    // Validate and confirm of account-bound codes also count per account and client (the guess limit).
    const tokenLimited = !!throttle.limits.token || (!!fields.accountField && !!throttle.limits.guess);

    return {
      requestToken: {
        summary: 'Request a password reset token',
        description:
          `Issues a token to the account with this \`${lookupField}\`; the app delivers it (mail, SMS). ` +
          (noInformationLeakage
            ? 'Answers 200 whether or not such an account exists.'
            : 'Answers 400 when no account that may reset its password has it.'),
        body: requestTokenBodySchema(fields),
        responses: {
          [HttpStatus.OK]: ok(),
          [HttpStatus.BAD_REQUEST]: {
            description: noInformationLeakage ? 'Malformed body.' : 'Malformed body, or no such account.',
            schema: badRequestSchema(
              (noInformationLeakage ? DEFAULT_MESSAGES.emptyField : DEFAULT_MESSAGES.unknownAccount)(lookupField),
            ),
          },
          ...throttled(
            !!throttle.limits.request,
            !!throttle.limits.request || !!throttle.limits.account || !!throttle.limits.accountPerClient,
          ),
        },
      },
      validateToken: {
        summary: 'Check a password reset token',
        description: `Tells whether the token${account} can still reset the password; consumes nothing.`,
        body: validateTokenBodySchema(fields),
        responses: {
          [HttpStatus.OK]: ok(statusSchema(userDetailsOnValidation, secondFactorOnValidation)),
          [HttpStatus.BAD_REQUEST]: {
            description: 'Malformed body.',
            schema: badRequestSchema(DEFAULT_MESSAGES.emptyField('token')),
          },
          [HttpStatus.NOT_FOUND]: invalidToken,
          ...throttled(tokenLimited),
        },
      },
      confirmReset: {
        summary: 'Set a new password with a password reset token',
        description: `Sets the new password with the token${account}; the account's reset tokens are then gone.`,
        body: confirmResetBodySchema(fields),
        responses: {
          [HttpStatus.OK]: ok(),
          [HttpStatus.BAD_REQUEST]: {
            description: 'Malformed body, or the password validators refused the password (the token is kept).',
            schema: badRequestSchema('This password is too short. It must contain at least 8 characters.'),
          },
          ...(proofFields.length ? { [HttpStatus.FORBIDDEN]: secondFactorResponse() } : {}),
          [HttpStatus.NOT_FOUND]: invalidToken,
          ...throttled(tokenLimited),
        },
      },
    };
  }
}

type Handler = (...args: unknown[]) => unknown;

/** Each handler installed below → the handler it calls. */
const wrappedHandlers = new WeakMap<Handler, Handler>();

/**
 * Swagger keeps its metadata on the handler function, and a mounted class inherits its handlers from
 * PasswordResetController: so the class gets a fresh handler of its own that calls the original and carries
 * its route metadata. Mounts never share documentation, and documenting a class again starts from scratch.
 */
function decorateHandler(
  swagger: Swagger,
  controller: Type<PasswordResetController>,
  name: PasswordResetHandlerName,
  operation: PasswordResetApiOperation,
  shared: MethodDecorator[],
): void {
  const prototype = controller.prototype as Record<PasswordResetHandlerName, Handler>;
  const current = prototype[name];
  const original = wrappedHandlers.get(current) ?? current;
  // A method definition keeps the name, which Nest and Swagger use to find the parameters' metadata.
  const handler = {
    [name](this: unknown, ...args: unknown[]) {
      return original.apply(this, args);
    },
  }[name];
  wrappedHandlers.set(handler, original);
  for (const key of Reflect.getOwnMetadataKeys(original)) {
    Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, original), handler);
  }
  const descriptor = { value: handler, writable: true, configurable: true, enumerable: false };
  Object.defineProperty(prototype, name, descriptor);

  const decorators = [
    swagger.ApiOperation({ summary: operation.summary, description: operation.description }),
    swagger.ApiConsumes(...REQUEST_CONTENT_TYPES),
    swagger.ApiBody({ schema: operation.body }),
    ...shared,
    ...Object.entries(operation.responses).map(([status, response]) =>
      swagger.ApiResponse({ status: Number(status), ...response }),
    ),
  ];
  for (const decorate of decorators) decorate(prototype, name, descriptor);
}
