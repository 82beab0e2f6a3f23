import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { PasswordResetEvents } from './password-reset.events.js';

/** Where `@OnEvent` records its listeners: @nestjs/event-emitter exports this key only from 12 on, 3.x has the same one. */
const EVENT_LISTENER_METADATA = 'EVENT_LISTENER_METADATA';

interface ListenerMetadata {
  event: unknown;
  options?: { suppressErrors?: boolean };
}

const EVENT_NAMES: readonly unknown[] = Object.values(PasswordResetEvents);

/**
 * Looks at the app's `@OnEvent` listeners once at start-up and warns about the two mistakes that fail
 * silently: nobody listens to TokenCreated (no token is ever delivered), and a listener left with
 * @nestjs/event-emitter's default `suppressErrors: true`, which ignores PreReset vetoes and logs
 * listener errors itself, unmasked.
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
          if (options?.suppressErrors !== false) {
            this.logger.warn(
              `${prototype.constructor.name}.${method} listens to ${String(event)} without { suppressErrors: false }: ` +
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
