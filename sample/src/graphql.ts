import { DynamicModule, Inject, Provider } from '@nestjs/common';
import { GraphQLModule, Query, Resolver } from '@nestjs/graphql';
import { passwordResetResolver } from 'nestjs-password-reset/graphql';
import type { SampleConfig } from './config.js';
import { SAMPLE_CONFIG } from './config.module.js';

/** A GraphQL schema needs a query type; this one tells a client which argument requestPasswordReset takes. */
@Resolver()
export class SampleQueryResolver {
  constructor(@Inject(SAMPLE_CONFIG) private readonly config: SampleConfig) {}

  @Query(() => String, { description: 'The argument requestPasswordReset takes: email or username.' })
  passwordResetLookupField(): string {
    return this.config.lookupField;
  }
}

export interface SampleGraphQL {
  /** The GraphQL server at /graphql, for the app's imports. */
  server: DynamicModule;
  /** The app's own resolvers. */
  resolvers: Provider[];
  /** The reset mutations, for the module's extraProviders. */
  resetResolver: Provider;
}

/**
 * GRAPHQL=true: code first, the schema kept in memory; Apollo on Express, Mercurius on Fastify. main.ts loads this
 * file only then, so an app without GraphQL loads none of it.
 */
export async function loadGraphQL(config: SampleConfig): Promise<SampleGraphQL> {
  return {
    server: await graphQLServer(config.httpAdapter),
    resolvers: [SampleQueryResolver],
    resetResolver: passwordResetResolver(),
  };
}

async function graphQLServer(adapter: SampleConfig['httpAdapter']): Promise<DynamicModule> {
  if (adapter === 'fastify') {
    const { MercuriusDriver } = await import('@nestjs/mercurius');
    return GraphQLModule.forRoot({ driver: MercuriusDriver, path: '/graphql', autoSchemaFile: true });
  }
  const { ApolloDriver } = await import('@nestjs/apollo');
  return GraphQLModule.forRoot({ driver: ApolloDriver, path: '/graphql', autoSchemaFile: true });
}
