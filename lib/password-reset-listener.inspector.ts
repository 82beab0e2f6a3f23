import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { PasswordResetConfigurationError } from './exceptions/password-reset-configuration.error.js';
import { PasswordResetEvents } from './password-reset.events.js';

/** Where `@OnEvent` records its listeners: @nestjs/event-emitter exports this key only from 12 on, 3.x has the same one. */
const EVENT_LISTENER_METADATA = 'EVENT_LISTENER_METADATA';

interface ListenerMetadata {
  event: unknown;
  options?: { suppressErrors?: boolean; async?: boolean; nextTick?: boolean };
}

const EVENT_NAMES: readonly unknown[] = Object.values(PasswordResetEvents);
/** Events whose listeners can stop the reset: a detached one would run after the password changed. */
const AWAITED_EVENTS: readonly unknown[] = [PasswordResetEvents.PreReset, PasswordResetEvents.ResetCommitting];

/**
 * Looks at the app's `@OnEvent` listeners once at start-up and warns about the mistakes that fail
 * silently: nobody listens to TokenCreated (no token is ever delivered), a listener left with
 * @nestjs/event-emitter's default `suppressErrors: true`, which ignores PreReset vetoes and logs
 * listener errors itself, unmasked, and one run detached (`async` or `nextTick`), whose error nobody
 * awaits: it escapes the module's masking and can end the process. A detached PreReset listener fails the
 * start, since its veto would come after the password was changed.
 */
@Injectable()
export class PasswordResetListenerInspector implements OnApplicationBootstrap {
  protected readonly logger = new Logger('PasswordReset');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onApplicationBootstrap(): void {
    const listened = new Set<unknown>();
    for (const { instance } of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const prototype = instance ? (Object.getPrototypeOf(instance) as Record<string, unknown> | null) : null;
      if (!prototype) continue;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        for (const { event, options } of this.listenersOf(prototype[method])) {
          if (!EVENT_NAMES.includes(event)) continue;
          listened.add(event);
          const name = `${prototype.constructor.name}.${method}`;
          const detached = options?.async ? 'async' : options?.nextTick ? 'nextTick' : undefined;
          if (detached && AWAITED_EVENTS.includes(event)) {
            throw new PasswordResetConfigurationError(
              `${name} listens to ${String(event)} with { ${detached}: true }: the reset would not wait for it, so ` +
                `its veto would be ignored. Remove the ${detached} option (an async method is awaited without it)`,
            );
          }
          if (detached) {
            this.logger.warn(
              `${name} listens to ${String(event)} with { ${detached}: true }: nothing awaits it, so its errors ` +
                'escape the module (unmasked) and can end the process',
            );
          }
          if (options?.suppressErrors !== false) {
            this.logger.warn(
              `${name} listens to ${String(event)} without { suppressErrors: false }: ` +
                'its errors are swallowed (a PreReset veto is ignored) and logged by @nestjs/event-emitter unmasked',
            );
          }
        }
      }
    }
    if (!listened.has(PasswordResetEvents.TokenCreated)) {
      this.logger.warn(`nothing listens to ${PasswordResetEvents.TokenCreated}: tokens are issued but never delivered`);
    }
  }

  private listenersOf(method: unknown): ListenerMetadata[] {
    if (typeof method !== 'function') return [];
    const metadata = Reflect.getMetadata(EVENT_LISTENER_METADATA, method) as
      ListenerMetadata | ListenerMetadata[] | undefined;
    return metadata === undefined ? [] : ([] as ListenerMetadata[]).concat(metadata);
  }
}
