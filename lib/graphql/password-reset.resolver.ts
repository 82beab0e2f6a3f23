import { FactoryProvider, Type, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { parseConfirmResetBody, parseRequestTokenBody, parseValidateTokenBody } from '../dto/password-reset-bodies.js';
import { PasswordResetLocalization } from '../i18n/password-reset-localization.js';
import { PASSWORD_RESET_OPTIONS } from '../password-reset.constants.js';
import type { ResolvedPasswordResetOptions } from '../password-reset.options.js';
import { validatedStatus } from '../password-reset.controller.js';
import { PasswordResetService } from '../password-reset.service.js';
import { ThrottlePerClient } from '../throttling/password-reset-throttle.guard.js';
import { PasswordResetThrottler } from '../throttling/password-reset-throttler.js';
import { PasswordResetUserStore } from '../users/password-reset-user-store.js';
import { readClientInfo } from '../utils/client-info.util.js';
import { PasswordResetAudit } from '../observability/password-reset-audit.js';
import { graphQLRequest, PasswordResetGqlThrottleGuard } from './password-reset-gql-throttle.guard.js';
import { toPasswordResetGraphQLError } from './password-reset-graphql.errors.js';
import { PasswordResetStatusModel } from './password-reset-status.model.js';

const OK: PasswordResetStatusModel = { status: 'OK' };

/**
 * The three mutations' work, as the REST controller does it: the arguments through the same body rules, one
 * service call, `{ status: "OK" }` or a GraphQL error. The schema part (argument names follow `lookupField` and
 * `tokensBoundToAccount`) is a subclass made per app by `passwordResetResolver()`; this class is its DI token.
 */
export abstract class PasswordResetResolver {
  constructor(
    protected readonly options: ResolvedPasswordResetOptions,
    protected readonly service: PasswordResetService,
    protected readonly users: PasswordResetUserStore,
    protected readonly localization: PasswordResetLocalization,
  ) {}

  protected requestToken(lookupValue: unknown, context: unknown): Promise<PasswordResetStatusModel> {
    return this.answer(context, async () => {
      const { lookupField, messages } = this.options;
      const value = parseRequestTokenBody({ [lookupField]: lookupValue }, messages, lookupField);
      await this.service.requestPasswordReset(value, this.client(context));
      return OK;
    });
  }

  protected validateToken(token: unknown, account: unknown, context: unknown): Promise<PasswordResetStatusModel> {
    return this.answer(context, async () => {
      const body = parseValidateTokenBody(
        this.withAccount({ token }, account),
        this.options.messages,
        this.accountField,
      );
      const { user } = await this.service.validateToken(body.token, body.account, this.client(context));
      return validatedStatus(user, this.options, this.service, this.users);
    });
  }

  /** `proof`: the second-factor arguments (the verifier's `proofFields`), in their order; absent ones undefined. */
  protected confirmReset(
    token: unknown,
    password: unknown,
    account: unknown,
    context: unknown,
    proof: unknown[] = [],
  ): Promise<PasswordResetStatusModel> {
    return this.answer(context, async () => {
      const { messages } = this.options;
      const fields = this.service.proofFields;
      // An omitted optional argument is left out, as an absent field of a REST body.
      const given: Record<string, unknown> = Object.fromEntries(
        fields.flatMap((field, i) => (proof[i] == null ? [] : [[field, proof[i]]])),
      );
      const values = { ...this.withAccount({ token, password }, account), ...given };
      const body = parseConfirmResetBody(values, messages, this.accountField, fields);
      await this.service.confirmReset(body.token, body.password, body.account, this.client(context), body.proof);
      return OK;
    });
  }

  /** The argument naming the account, when tokens are bound to it (as the REST body's field). */
  protected get accountField(): string | undefined {
    return this.service.tokensBoundToAccount ? this.options.lookupField : undefined;
  }

  private withAccount(values: Record<string, unknown>, account: unknown): Record<string, unknown> {
    return this.accountField ? { ...values, [this.accountField]: account } : values;
  }

  private client(context: unknown) {
    return readClientInfo(graphQLRequest(context), this.options);
  }

  /** Runs a mutation in the caller's language; the flow's HTTP exceptions become GraphQL errors with their code. */
  private async answer(
    context: unknown,
    work: () => Promise<PasswordResetStatusModel>,
  ): Promise<PasswordResetStatusModel> {
    try {
      return await this.localization.run(graphQLRequest(context), work);
    } catch (error) {
      throw toPasswordResetGraphQLError(error);
    }
  }
}

/**
 * The resolver class for one app: GraphQL arguments are declared by decorators, and their names depend on
 * options that `forRootAsync` only knows once its factory ran, so the class is made then. The guard is an
 * instance: Nest finds a guard class only among the injectables of a class it scanned, which this one is not.
 */
function createPasswordResetResolver(
  lookupField: string,
  accountField: string | undefined,
  proofFields: readonly string[],
  guard: PasswordResetGqlThrottleGuard,
): Type<PasswordResetResolver> {
  const text = (name: string) => Args(name, { type: () => String });
  // Without account-bound tokens the parameter has no argument behind it, and is undefined.
  const account: ParameterDecorator = accountField ? text(accountField) : () => undefined;

  @Resolver()
  @UseGuards(guard)
  class MountedPasswordResetResolver extends PasswordResetResolver {
    @Mutation(() => PasswordResetStatusModel, {
      name: 'requestPasswordReset',
      description: 'Mails a reset token if the account exists; answers the same either way.',
    })
    @ThrottlePerClient('request')
    request(@text(lookupField) lookupValue: string, @Context() context: unknown): Promise<PasswordResetStatusModel> {
      return this.requestToken(lookupValue, context);
    }

    @Mutation(() => PasswordResetStatusModel, { name: 'validatePasswordResetToken' })
    @ThrottlePerClient('token')
    validate(
      @text('token') token: string,
      @account value: string | undefined,
      @Context() context: unknown,
    ): Promise<PasswordResetStatusModel> {
      return this.validateToken(token, value, context);
    }

    @Mutation(() => PasswordResetStatusModel, { name: 'confirmPasswordReset' })
    @ThrottlePerClient('token')
    confirm(
      @text('token') token: string,
      @text('password') password: string,
      @account value: string | undefined,
      @Context() context: unknown,
      ...proof: (string | undefined)[]
    ): Promise<PasswordResetStatusModel> {
      return this.confirmReset(token, password, value, context, proof);
    }
  }
  // The second-factor arguments (optional, as in the REST body), one per proof field after the fixed four.
  proofFields.forEach((field, i) => {
    Args(field, { type: () => String, nullable: true })(MountedPasswordResetResolver.prototype, 'confirm', 4 + i);
  });
  Object.defineProperty(MountedPasswordResetResolver, 'name', { value: PasswordResetResolver.name });
  return MountedPasswordResetResolver;
}

/**
 * The GraphQL mutations, for the module's `extraProviders`:
 * `PasswordResetModule.forRoot({ ..., extraProviders: [passwordResetResolver()] })`.
 */
export function passwordResetResolver(): FactoryProvider<PasswordResetResolver> {
  return {
    provide: PasswordResetResolver,
    inject: [
      PASSWORD_RESET_OPTIONS,
      PasswordResetService,
      PasswordResetUserStore,
      Reflector,
      PasswordResetThrottler,
      PasswordResetLocalization,
      PasswordResetAudit,
    ],
    useFactory: (
      options: ResolvedPasswordResetOptions,
      service: PasswordResetService,
      users: PasswordResetUserStore,
      reflector: Reflector,
      throttler: PasswordResetThrottler,
      localization: PasswordResetLocalization,
      audit: PasswordResetAudit,
    ) => {
      const accountField = service.tokensBoundToAccount ? options.lookupField : undefined;
      const guard = new PasswordResetGqlThrottleGuard(reflector, throttler, options, localization, audit);
      const Mounted = createPasswordResetResolver(options.lookupField, accountField, service.proofFields, guard);
      return new Mounted(options, service, users, localization);
    },
  };
}
