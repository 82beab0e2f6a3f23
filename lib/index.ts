export { PasswordResetModule } from './password-reset.module.js';
export { PasswordResetService } from './password-reset.service.js';
export type { IssuedResetToken, ValidatedResetToken } from './password-reset.service.js';
export { PasswordResetController, createPasswordResetController } from './password-reset.controller.js';
export type { PasswordResetStatus } from './password-reset.controller.js';
export { PASSWORD_RESET_MODULE_OPTIONS } from './password-reset.module-definition.js';
export { PASSWORD_RESET_OPTIONS, PASSWORD_RESET_TOKEN_REPOSITORY } from './password-reset.constants.js';
export { resolvePasswordResetOptions } from './password-reset.options.js';
export type {
  PasswordResetModuleExtras,
  PasswordResetModuleOptions,
  PasswordResetOptionsFactory,
  PasswordResetUserConfig,
  PasswordResetUserFields,
  ResolvedPasswordResetOptions,
} from './password-reset.options.js';
export type {
  PasswordResetMessage,
  PasswordResetMessages,
  ResolvedPasswordResetMessages,
} from './password-reset.messages.js';
export { PasswordResetEvents, PostResetEvent, PreResetEvent, TokenCreatedEvent } from './password-reset.events.js';
export type { PasswordResetEventName } from './password-reset.events.js';
export { ResetToken } from './entities/reset-token.entity.js';
export { passwordResetEntities } from './entities/password-reset-entities.js';
export {
  CreatePasswordResetTokens1795737600000,
  PASSWORD_RESET_MIGRATIONS,
} from './migrations/create-password-reset-tokens.migration.js';
export { BaseTokenGenerator } from './tokens/base-token-generator.js';
export { RandomStringTokenGenerator, MAX_TOKEN_LENGTH } from './tokens/random-string-token.generator.js';
export type { RandomStringTokenGeneratorOptions } from './tokens/random-string-token.generator.js';
export { RandomNumberTokenGenerator } from './tokens/random-number-token.generator.js';
export type { RandomNumberTokenGeneratorOptions } from './tokens/random-number-token.generator.js';
export { digestToken } from './tokens/token-digest.js';
export { PasswordResetUserStore } from './users/password-reset-user-store.js';
export type { PasswordResetUserId } from './users/password-reset-user-store.js';
export { TypeOrmUserStore } from './users/typeorm-user-store.js';
export { PasswordHasher } from './passwords/password-hasher.js';
export { BcryptPasswordHasher } from './passwords/bcrypt-password-hasher.js';
export { PasswordValidator } from './passwords/password-validator.js';
export type { PasswordUserAttributes } from './passwords/password-validator.js';
export { MinimumLengthValidator } from './passwords/minimum-length.validator.js';
export { CommonPasswordValidator } from './passwords/common-password.validator.js';
export { NumericPasswordValidator } from './passwords/numeric-password.validator.js';
export { BlankPasswordValidator } from './passwords/blank-password.validator.js';
export { RepetitivePasswordValidator } from './passwords/repetitive-password.validator.js';
export { SequentialPasswordValidator } from './passwords/sequential-password.validator.js';
export { UserAttributeSimilarityValidator } from './passwords/user-attribute-similarity.validator.js';
export {
  PwnedPasswordValidator,
  BREACHED_PASSWORD_MESSAGE,
  BREACH_CHECK_UNAVAILABLE_MESSAGE,
} from './passwords/pwned-password.validator.js';
export type { PwnedPasswordValidatorOptions } from './passwords/pwned-password.validator.js';
export { defaultPasswordValidators } from './passwords/default-password-validators.js';
export {
  INVALID_TOKEN_MESSAGE,
  TOO_MANY_REQUESTS_MESSAGE,
  InvalidResetTokenException,
  PasswordResetBadRequestException,
} from './exceptions/password-reset.exceptions.js';
export { PasswordResetConfigurationError } from './exceptions/password-reset-configuration.error.js';
export { PasswordResetThrottler } from './throttling/password-reset-throttler.js';
export type { ThrottleVerdict } from './throttling/password-reset-throttler.js';
export { PasswordResetThrottleGuard } from './throttling/password-reset-throttle.guard.js';
export { PasswordResetOpenApiDocumenter } from './openapi/password-reset-openapi.documenter.js';
export type { PasswordResetHandlerName } from './openapi/password-reset-openapi.documenter.js';
export type {
  OpenApiSchema,
  PasswordResetApiOperation,
  PasswordResetApiResponse,
} from './openapi/password-reset-openapi.schemas.js';
export { DEFAULT_RATE_LIMITS } from './throttling/password-reset-throttle.options.js';
export { MemoryThrottleStorage, DEFAULT_MEMORY_THROTTLE_MAX_KEYS } from './throttling/memory-throttle.storage.js';
export type { MemoryThrottleStorageOptions } from './throttling/memory-throttle.storage.js';
export type {
  PasswordResetThrottleStorage,
  ThrottleStorageRecord,
  PasswordResetRateLimit,
  PasswordResetThrottleName,
  PasswordResetThrottleOptions,
} from './throttling/password-reset-throttle.options.js';
export {
  PasswordResetThrottledException,
  PasswordResetUnavailableException,
  SERVICE_UNAVAILABLE_MESSAGE,
} from './exceptions/password-reset.exceptions.js';
export type { PasswordResetClientInfo } from './utils/client-info.util.js';
export { foldIdentifier } from './utils/identifier.util.js';
