import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { PasswordResetEvents, PreResetEvent, TokenCreatedEvent } from '../../lib/index.js';
import { LogRecorder } from '../fixtures/log-recorder.js';
import { createTestApp, TestApp } from '../fixtures/test-app.js';

/** Listeners as an app might write them, forgetting `suppressErrors: false`. */
@Injectable()
class CarelessListeners {
  @OnEvent(PasswordResetEvents.TokenCreated)
  deliver(_event: TokenCreatedEvent): void {}

  @OnEvent(PasswordResetEvents.PreReset)
  veto(_event: PreResetEvent): void {}

  @OnEvent('orders.created')
  unrelated(): void {}
}

/** A veto run detached: EventEmitter2 would start it in setImmediate and not wait. */
@Injectable()
class DetachedVeto {
  @OnEvent(PasswordResetEvents.PreReset, { suppressErrors: false, async: true })
  async veto(_event: PreResetEvent): Promise<void> {}
}

@Injectable()
class DetachedMailer {
  @OnEvent(PasswordResetEvents.TokenCreated, { suppressErrors: false, nextTick: true })
  deliver(_event: TokenCreatedEvent): void {}
}

@Injectable()
class DetachedRevoker {
  @OnEvent(PasswordResetEvents.ResetCommitting, { suppressErrors: false, nextTick: true })
  revoke(): void {}
}

describe('start-up inspection of the app listeners', () => {
  let t: TestApp | undefined;
  afterEach(async () => t?.close());

  const warnings = (logs: LogRecorder) => logs.lines('warn').filter((line) => line.includes('PasswordReset'));

  it('warns about each password-reset listener that would swallow its errors, naming it', async () => {
    const logs = new LogRecorder();
    t = await createTestApp({ providers: [CarelessListeners], logger: logs, withoutEventRecorder: true });
    const lines = warnings(logs);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(
      `CarelessListeners.deliver listens to ${PasswordResetEvents.TokenCreated} without { suppressErrors: false }`,
    );
    expect(lines[1]).toContain(`CarelessListeners.veto listens to ${PasswordResetEvents.PreReset}`);
    expect(lines.join('\n')).not.toContain('orders.created');
  });

  it('refuses to start with a PreReset listener run with { async: true }, naming it', async () => {
    await expect(createTestApp({ providers: [DetachedVeto] })).rejects.toThrow(
      /PasswordResetModule: DetachedVeto\.veto listens to password_reset\.pre_reset with \{ async: true \}: .*veto would be ignored/,
    );
  });

  it('refuses to start with a ResetCommitting listener run detached: its failure could not undo the reset', async () => {
    await expect(createTestApp({ providers: [DetachedRevoker] })).rejects.toThrow(
      /DetachedRevoker\.revoke listens to password_reset\.reset_committing with \{ nextTick: true \}/,
    );
  });

  it('warns about other listeners run detached', async () => {
    const logs = new LogRecorder();
    t = await createTestApp({ providers: [DetachedMailer], logger: logs });
    expect(warnings(logs)).toEqual([
      expect.stringContaining(
        `DetachedMailer.deliver listens to ${PasswordResetEvents.TokenCreated} with { nextTick: true }: nothing awaits it`,
      ),
    ]);
  });

  it('warns when nothing delivers tokens', async () => {
    const logs = new LogRecorder();
    t = await createTestApp({ logger: logs, withoutEventRecorder: true });
    expect(warnings(logs)).toEqual([
      expect.stringContaining(
        `nothing listens to ${PasswordResetEvents.TokenCreated}: tokens are issued but never delivered`,
      ),
    ]);
  });

  it('stays quiet for listeners registered with suppressErrors: false', async () => {
    const logs = new LogRecorder();
    t = await createTestApp({ logger: logs });
    expect(warnings(logs)).toEqual([]);
  });
});
