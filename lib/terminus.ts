// `nestjs-password-reset/terminus`: a health indicator for @nestjs/terminus (an optional peer, loaded only here).
export { DEFAULT_HEALTH_TIMEOUT_MS, PasswordResetHealthIndicator } from './health/password-reset.health-indicator.js';
