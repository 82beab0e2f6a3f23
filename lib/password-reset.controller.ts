import { Body, Controller, HttpCode, HttpStatus, Inject, Post, Req, Type, UseGuards } from '@nestjs/common';
import { PasswordResetLocalization } from './i18n/password-reset-localization.js';
import { PASSWORD_RESET_OPTIONS } from './password-reset.constants.js';
import type { ResolvedPasswordResetOptions } from './password-reset.options.js';
import { PasswordResetService } from './password-reset.service.js';
import { parseConfirmResetBody, parseRequestTokenBody, parseValidateTokenBody } from './dto/password-reset-bodies.js';
import { readClientInfo } from './utils/client-info.util.js';
import type { HttpRequestLike } from './utils/client-info.util.js';
import { PasswordResetUserStore } from './users/password-reset-user-store.js';
import { PasswordResetThrottleGuard, ThrottlePerClient } from './throttling/password-reset-throttle.guard.js';

export interface PasswordResetStatus {
  status: 'OK';
  username?: string | null;
  email?: string | null;
  /** Validate, with `secondFactorOnValidation`: the confirm must carry a second-factor proof. */
  secondFactorRequired?: true;
}

const OK: PasswordResetStatus = { status: 'OK' };

/** The three endpoints: body in, one service call, status out. Mounted at `path` by the module. */
@UseGuards(PasswordResetThrottleGuard)
export class PasswordResetController {
  constructor(
    @Inject(PASSWORD_RESET_OPTIONS) protected readonly options: ResolvedPasswordResetOptions,
    protected readonly service: PasswordResetService,
    protected readonly users: PasswordResetUserStore,
    protected readonly localization: PasswordResetLocalization,
  ) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @ThrottlePerClient('request')
  requestToken(@Body() body: unknown, @Req() request: HttpRequestLike): Promise<PasswordResetStatus> {
    return this.localization.run(request, async () => {
      const lookupValue = parseRequestTokenBody(body, this.options.messages, this.options.lookupField);
      await this.service.requestPasswordReset(lookupValue, readClientInfo(request, this.options));
      return OK;
    });
  }

  @Post('validate_token')
  @HttpCode(HttpStatus.OK)
  @ThrottlePerClient('token')
  validateToken(@Body() body: unknown, @Req() request: HttpRequestLike): Promise<PasswordResetStatus> {
    return this.localization.run(request, async () => {
      const { token, account } = parseValidateTokenBody(body, this.options.messages, this.accountField);
      const { user } = await this.service.validateToken(token, account, readClientInfo(request, this.options));
      return validatedStatus(user, this.options, this.service, this.users);
    });
  }

  @Post('confirm')
  @HttpCode(HttpStatus.OK)
  @ThrottlePerClient('token')
  confirmReset(@Body() body: unknown, @Req() request: HttpRequestLike): Promise<PasswordResetStatus> {
    return this.localization.run(request, async () => {
      const { token, password, account, proof } = parseConfirmResetBody(
        body,
        this.options.messages,
        this.accountField,
        this.service.proofFields,
      );
      await this.service.confirmReset(token, password, account, readClientInfo(request, this.options), proof);
      return OK;
    });
  }

  /** The body field naming the account, when tokens are bound to it. */
  protected get accountField(): string | undefined {
    return this.service.tokensBoundToAccount ? this.options.lookupField : undefined;
  }
}

/**
 * Validate's answer for a live token (REST and GraphQL): OK, with the account's username and email under
 * `userDetailsOnValidation`, and `secondFactorRequired` under `secondFactorOnValidation` for an enrolled user.
 */
export async function validatedStatus(
  user: object,
  options: ResolvedPasswordResetOptions,
  service: PasswordResetService,
  users: PasswordResetUserStore,
): Promise<PasswordResetStatus> {
  const details = options.userDetailsOnValidation && {
    username: users.getAttribute(user, 'username'),
    email: users.getAttribute(user, 'email'),
  };
  const secondFactor =
    options.secondFactorOnValidation && (await service.requiresSecondFactor(user))
      ? { secondFactorRequired: true as const }
      : undefined;
  return { ...OK, ...details, ...secondFactor };
}

/** A controller class of its own per path, so the shared class's route metadata is never rewritten. */
export function createPasswordResetController(path: string): Type<PasswordResetController> {
  @Controller(path)
  class MountedPasswordResetController extends PasswordResetController {}
  // Named like its base in Nest's route log and in OpenAPI (the controller's tag and operation ids).
  Object.defineProperty(MountedPasswordResetController, 'name', { value: PasswordResetController.name });
  return MountedPasswordResetController;
}
