/** Resolved options (user options merged with the defaults and checked). */
export const PASSWORD_RESET_OPTIONS = Symbol('PASSWORD_RESET_OPTIONS');
/** The user entity and field map given beside the options (they shape the schema, so they are synchronous). */
export const PASSWORD_RESET_USER_CONFIG = Symbol('PASSWORD_RESET_USER_CONFIG');
/** Settles once the mounted controller is described for OpenAPI (true), or @nestjs/swagger is absent (false). */
export const PASSWORD_RESET_OPENAPI = Symbol('PASSWORD_RESET_OPENAPI');
/** Builds the default TypeORM stores, where they are used (see PasswordResetTypeOrmStoresModule). */
export const PASSWORD_RESET_TYPEORM_STORES = Symbol('PASSWORD_RESET_TYPEORM_STORES');

/** One logger context for everything the module logs. */
export const PASSWORD_RESET_LOGGER_CONTEXT = 'PasswordReset';

export const DEFAULT_PATH = 'password_reset';
export const DEFAULT_TOKEN_TTL_SECONDS = 24 * 60 * 60;
export const DEFAULT_CLEANUP_BATCH_SIZE = 100;
export const DEFAULT_BCRYPT_COST = 12;
export const DEFAULT_MAX_FAILED_ATTEMPTS = 5;
export const MAX_USER_AGENT_LENGTH = 512;
export const MAX_LOOKUP_VALUE_LENGTH = 254;
export const MAX_PASSWORD_LENGTH = 4096;
/** Each second-factor proof field: room for a WebAuthn assertion sent as JSON. */
export const MAX_PROOF_LENGTH = 8192;
/** Tokens arrive in request bodies capped at this length. */
export const MAX_TOKEN_LENGTH = 256;
/** Below this, tokens can be guessed online: they are bound to the account unless the app says otherwise. */
export const WEAK_TOKEN_ENTROPY_BITS = 64;
