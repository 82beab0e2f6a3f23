// `nestjs-password-reset/graphql`: the flow as three GraphQL mutations (code first), for apps on @nestjs/graphql
// with Apollo or Mercurius. Only this entry loads @nestjs/graphql and graphql.
export { PasswordResetResolver, passwordResetResolver } from './graphql/password-reset.resolver.js';
export { PasswordResetStatusModel } from './graphql/password-reset-status.model.js';
