// The public API of `nestjs-password-reset`. The TypeORM pieces live in `nestjs-password-reset/typeorm`, so an
// app on stores of its own installs no TypeORM. lib/public-api.spec.ts keeps this list deliberate.

// Module and options
export { PasswordResetModule } from './password-reset.module.js';
export { InjectPasswordResetOptions } from './password-reset.decorators.js';
export type {
  PasswordResetAuditLogLevel,
  PasswordResetEntityClass,
  PasswordResetModuleExtras,
  PasswordResetModuleOptions,
  PasswordResetOptionsFactory,
  PasswordResetQueueOptions,
  PasswordResetUserConfig,
  PasswordResetUserFields,
  ResolvedPasswordResetOptions,
  ResolvedPasswordResetQueueOptions,
} from './password-reset.options.js';
export type {
  PasswordResetMessage,
  PasswordResetMessageKey,
  PasswordResetMessages,
  ResolvedPasswordResetMessages,
} from './password-reset.messages.js';
export { MESSAGE_ARGUMENT_NAMES } from './password-reset.messages.js';

// Languages
export { AcceptLanguageLocaleResolver, PasswordResetLocaleResolver } from './i18n/password-reset-locale.resolver.js';
export { CataloguePasswordResetTranslator, PasswordResetTranslator } from './i18n/password-reset-translator.js';
export { PasswordResetLocalization } from './i18n/password-reset-localization.js';
export { currentPasswordResetLocale } from './i18n/password-reset-locale.context.js';
export { matchLocale, parseAcceptLanguage } from './i18n/accept-language.util.js';
export { SHIPPED_CATALOGUES } from './i18n/shipped-catalogues.js';

// The flow and its HTTP face
export { PasswordResetService } from './password-reset.service.js';
export type { IssuedResetToken, ValidatedResetToken } from './password-reset.service.js';
export { PasswordResetController } from './password-reset.controller.js';
export type { PasswordResetStatus } from './password-reset.controller.js';
export type { HttpRequestLike, PasswordResetClientInfo } from './utils/client-info.util.js';

// Events
export {
  DeliveryFailedEvent,
  PasswordRejectedEvent,
  PasswordResetEvents,
  PostResetEvent,
  PreResetEvent,
  RequestSuppressedEvent,
  RequestUnmatchedEvent,
  ResetCommittingEvent,
  ThrottledEvent,
  TokenCreatedEvent,
  TokenRejectedEvent,
} from './password-reset.events.js';
export type { PasswordResetEventName, RequestUnmatchedReason, TokenRejectionReason } from './password-reset.events.js';

// Observability
export { PASSWORD_RESET_METER, PasswordResetAudit } from './observability/password-reset-audit.js';

// Token storage
export { ResetTokenStore } from './storage/reset-token.store.js';
export type { NewResetTokenRecord, ResetTokenRecord, ResetTokenWrite } from './storage/reset-token.store.js';

// The queue of answered requests (BullMQ: nestjs-password-reset/bullmq)
export { TokenRequestQueue } from './queue/token-request.queue.js';
export type {
  TokenRequest,
  TokenRequestAttempt,
  TokenRequestHandler,
  TokenRequestQueueSettings,
} from './queue/token-request.queue.js';
export { InProcessTokenRequestQueue, TokenRequestQueueFullError } from './queue/in-process-token-request.queue.js';
export type { InProcessTokenRequestQueueOptions } from './queue/in-process-token-request.queue.js';

// Tokens
export { BaseTokenGenerator } from './tokens/base-token-generator.js';
export { RandomStringTokenGenerator } from './tokens/random-string-token.generator.js';
export type { RandomStringTokenGeneratorOptions } from './tokens/random-string-token.generator.js';
export { RandomNumberTokenGenerator } from './tokens/random-number-token.generator.js';
export type { RandomNumberTokenGeneratorOptions } from './tokens/random-number-token.generator.js';

// Users
export { PasswordResetUserStore } from './users/password-reset-user-store.js';
export type { PasswordResetUserId } from './users/password-reset-user-store.js';

// Second factor
export { SecondFactorVerifier } from './second-factor/second-factor-verifier.js';
export type { SecondFactorProof } from './second-factor/second-factor-verifier.js';

// Passwords
export { PasswordHasher } from './passwords/password-hasher.js';
export { BcryptPasswordHasher } from './passwords/bcrypt-password-hasher.js';
export type { BcryptPasswordHasherOptions } from './passwords/bcrypt-password-hasher.js';
export { PasswordValidator } from './passwords/password-validator.js';
export type { PasswordUserAttributes } from './passwords/password-validator.js';
export { defaultPasswordValidators } from './passwords/default-password-validators.js';
export { MinimumLengthValidator } from './passwords/minimum-length.validator.js';
export type { MinimumLengthValidatorOptions } from './passwords/minimum-length.validator.js';
export { CommonPasswordValidator } from './passwords/common-password.validator.js';
export type { CommonPasswordValidatorOptions } from './passwords/common-password.validator.js';
export { NumericPasswordValidator } from './passwords/numeric-password.validator.js';
export type { NumericPasswordValidatorOptions } from './passwords/numeric-password.validator.js';
export { BlankPasswordValidator } from './passwords/blank-password.validator.js';
export type { BlankPasswordValidatorOptions } from './passwords/blank-password.validator.js';
export { RepetitivePasswordValidator } from './passwords/repetitive-password.validator.js';
export type { RepetitivePasswordValidatorOptions } from './passwords/repetitive-password.validator.js';
export { SequentialPasswordValidator } from './passwords/sequential-password.validator.js';
export type { SequentialPasswordValidatorOptions } from './passwords/sequential-password.validator.js';
export { UserAttributeSimilarityValidator } from './passwords/user-attribute-similarity.validator.js';
export type { UserAttributeSimilarityValidatorOptions } from './passwords/user-attribute-similarity.validator.js';
export {
  PwnedPasswordValidator,
  BREACHED_PASSWORD_MESSAGE,
  BREACH_CHECK_UNAVAILABLE_MESSAGE,
} from './passwords/pwned-password.validator.js';
export type { PwnedPasswordValidatorOptions } from './passwords/pwned-password.validator.js';

// Throttling
export { DEFAULT_RATE_LIMITS } from './throttling/password-reset-throttle.options.js';
export type {
  PasswordResetRateLimit,
  PasswordResetThrottleName,
  PasswordResetThrottleOptions,
  PasswordResetThrottleStorage,
  ResolvedPasswordResetThrottleOptions,
  ThrottleStorageRecord,
} from './throttling/password-reset-throttle.options.js';
export { DEFAULT_MEMORY_THROTTLE_MAX_KEYS, MemoryThrottleStorage } from './throttling/memory-throttle.storage.js';
export type { MemoryThrottleStorageOptions } from './throttling/memory-throttle.storage.js';

// OpenAPI: the documenter is a strategy too (replace it to change the operations)
export { PasswordResetOpenApiDocumenter } from './openapi/password-reset-openapi.documenter.js';
export type { PasswordResetHandlerName } from './openapi/password-reset-openapi.documenter.js';
export type {
  OpenApiSchema,
  PasswordResetApiOperation,
  PasswordResetApiResponse,
} from './openapi/password-reset-openapi.schemas.js';

// Errors: HTTP exceptions for `instanceof` in exception filters, and the start-up error
export {
  INVALID_TOKEN_MESSAGE,
  TOO_MANY_REQUESTS_MESSAGE,
  InvalidResetTokenException,
  PasswordResetBadRequestException,
  PasswordResetThrottledException,
  PasswordResetUnavailableException,
  SECOND_FACTOR_INVALID_MESSAGE,
  SECOND_FACTOR_REQUIRED_MESSAGE,
  SecondFactorRequiredException,
  SERVICE_UNAVAILABLE_MESSAGE,
} from './exceptions/password-reset.exceptions.js';
export { PasswordResetConfigurationError } from './exceptions/password-reset-configuration.error.js';
