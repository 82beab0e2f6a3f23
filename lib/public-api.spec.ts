import { describe, expect, it } from '@jest/globals';
import * as core from './index.js';
import * as bullmq from './bullmq.js';
import * as graphql from './graphql.js';
import * as terminus from './terminus.js';
import * as typeorm from './typeorm.js';

/**
 * The runtime names each entry point exports. A change here is a change to the package's public API: make it
 * on purpose, with a CHANGELOG line. (Types are checked by the pack check's strict compile of a user's app.)
 * nestjs-password-reset/i18n is left out: nestjs-i18n is CommonJS requiring Nest 12's ESM, which plain Node
 * loads and Jest cannot; test/e2e/nestjs-i18n.e2e-spec.ts runs it in a child process.
 */
describe('public API', () => {
  it('nestjs-password-reset exports exactly these values', () => {
    expect(Object.keys(core).sort()).toEqual(
      [
        'AcceptLanguageLocaleResolver',
        'CataloguePasswordResetTranslator',
        'MESSAGE_ARGUMENT_NAMES',
        'PasswordResetLocaleResolver',
        'PasswordResetLocalization',
        'PasswordResetTranslator',
        'SHIPPED_CATALOGUES',
        'currentPasswordResetLocale',
        'matchLocale',
        'parseAcceptLanguage',
        'BREACHED_PASSWORD_MESSAGE',
        'BREACH_CHECK_UNAVAILABLE_MESSAGE',
        'BaseTokenGenerator',
        'BcryptPasswordHasher',
        'BlankPasswordValidator',
        'CommonPasswordValidator',
        'DEFAULT_MEMORY_THROTTLE_MAX_KEYS',
        'DEFAULT_RATE_LIMITS',
        'DeliveryFailedEvent',
        'InProcessTokenRequestQueue',
        'INVALID_TOKEN_MESSAGE',
        'InjectPasswordResetOptions',
        'InvalidResetTokenException',
        'MemoryThrottleStorage',
        'MinimumLengthValidator',
        'NumericPasswordValidator',
        'PasswordHasher',
        'PASSWORD_RESET_METER',
        'PasswordRejectedEvent',
        'PasswordResetAudit',
        'PasswordResetBadRequestException',
        'PasswordResetConfigurationError',
        'PasswordResetController',
        'PasswordResetEvents',
        'PasswordResetModule',
        'PasswordResetOpenApiDocumenter',
        'PasswordResetService',
        'PasswordResetThrottledException',
        'PasswordResetUnavailableException',
        'PasswordResetUserStore',
        'PasswordValidator',
        'PostResetEvent',
        'PreResetEvent',
        'PwnedPasswordValidator',
        'RandomNumberTokenGenerator',
        'RandomStringTokenGenerator',
        'RepetitivePasswordValidator',
        'RequestSuppressedEvent',
        'RequestUnmatchedEvent',
        'ResetCommittingEvent',
        'ResetTokenStore',
        'SECOND_FACTOR_INVALID_MESSAGE',
        'SECOND_FACTOR_REQUIRED_MESSAGE',
        'SERVICE_UNAVAILABLE_MESSAGE',
        'SecondFactorRequiredException',
        'SecondFactorVerifier',
        'SequentialPasswordValidator',
        'TOO_MANY_REQUESTS_MESSAGE',
        'ThrottledEvent',
        'TokenCreatedEvent',
        'TokenRejectedEvent',
        'TokenRequestQueue',
        'TokenRequestQueueFullError',
        'UserAttributeSimilarityValidator',
        'defaultPasswordValidators',
      ].sort(),
    );
  });

  it('nestjs-password-reset/typeorm exports the TypeORM pieces and nothing else', () => {
    expect(Object.keys(typeorm).sort()).toEqual(
      [
        'CreatePasswordResetTokens1795737600000',
        'PASSWORD_RESET_MIGRATIONS',
        'ResetToken',
        'TypeOrmResetTokenStore',
        'TypeOrmUserStore',
        'passwordResetEntities',
      ].sort(),
    );
  });

  it('nestjs-password-reset/bullmq exports the BullMQ queue and nothing else', () => {
    expect(Object.keys(bullmq).sort()).toEqual(
      ['BullMqTokenRequestQueue', 'DEFAULT_BULLMQ_PREFIX', 'DEFAULT_BULLMQ_QUEUE_NAME'].sort(),
    );
  });

  it('nestjs-password-reset/graphql exports the resolver, its provider and the status type', () => {
    expect(Object.keys(graphql).sort()).toEqual(
      ['PasswordResetResolver', 'PasswordResetStatusModel', 'passwordResetResolver'].sort(),
    );
  });

  it('nestjs-password-reset/terminus exports the health indicator and its default timeout', () => {
    expect(Object.keys(terminus).sort()).toEqual(['DEFAULT_HEALTH_TIMEOUT_MS', 'PasswordResetHealthIndicator'].sort());
  });
});
