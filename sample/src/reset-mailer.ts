import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { PasswordResetEvents, PostResetEvent, RequestUnmatchedEvent, TokenCreatedEvent } from 'nestjs-password-reset';
import { createTransport, SendMailOptions, Transporter } from 'nodemailer';
import type { SampleConfig } from './config.js';
import { SAMPLE_CONFIG } from './config.module.js';
import type { User } from './user.entity.js';

const FROM = 'Sample app <no-reply@example.com>';

interface ResetMailTexts {
  subject: string;
  greeting: (username: string) => string;
  intro: string;
  code: (field: string, code: string) => string;
  expiry: (expiresAt: string) => string;
}

/** The reset mail per locale of TokenCreated (the package's locale tags). */
const RESET_MAIL: Record<string, ResetMailTexts> = {
  en: {
    subject: 'Reset your password',
    greeting: (username) => `Hello ${username},`,
    intro: 'Someone asked to reset the password of your account. To choose a new one, open:',
    code: (field, code) => `or enter this code with your ${field}: ${code}`,
    expiry: (expiresAt) => `The link works once, until ${expiresAt}. If you did not ask for it, ignore this mail.`,
  },
  'pt-BR': {
    subject: 'Redefina sua senha',
    greeting: (username) => `Olá, ${username},`,
    intro: 'Alguém pediu para redefinir a senha da sua conta. Para escolher uma nova, abra:',
    code: (field, code) => `ou digite este código junto com seu ${field}: ${code}`,
    expiry: (expiresAt) => `O link funciona uma única vez, até ${expiresAt}. Se você não pediu, ignore este e-mail.`,
  },
};

/** A plain-text mail, as this sample sends them. */
type Mail = Required<Pick<SendMailOptions, 'subject'>> & { from: string; to: string; text: string };

/**
 * The sample's mails: each new token as a link, the notice after a reset, and (opt-in) a note to an address
 * that has no account. Always to the account's stored address, never the one typed in the request.
 */
@Injectable()
export class ResetMailer implements OnApplicationShutdown {
  private readonly logger = new Logger(ResetMailer.name);
  private readonly transport?: Transporter;

  constructor(@Inject(SAMPLE_CONFIG) private readonly config: SampleConfig) {
    // Pooled: a connection (and its greeting, EHLO and TCP handshake) per mail cost more than the mail itself.
    this.transport =
      config.smtp &&
      createTransport({
        host: config.smtp.host,
        port: config.smtp.port,
        pool: true,
        maxConnections: config.smtp.connections,
        maxMessages: Infinity,
      });
  }

  /** Last, after the module's queue has drained, so the pool's connections close with no mail left to send. */
  onApplicationShutdown(): void {
    this.transport?.close();
  }

  // suppressErrors: false lets the module log a failed delivery with the token masked.
  @OnEvent(PasswordResetEvents.TokenCreated, { suppressErrors: false })
  async sendResetLink({ user, token, resetToken, locale }: TokenCreatedEvent<User>): Promise<void> {
    const link = new URL(this.config.appUrl);
    link.searchParams.set('token', token);
    // The language the request was answered in; a language without a template here gets English.
    const texts = RESET_MAIL[locale] ?? RESET_MAIL.en;
    await this.send({
      from: FROM,
      to: user.email,
      subject: texts.subject,
      text: [
        texts.greeting(user.username),
        '',
        texts.intro,
        '',
        link.href,
        '',
        // A code can also be typed into an app; a long token cannot, so only codes are spelled out.
        ...(this.config.resetCodes ? [texts.code(this.config.lookupField, token), ''] : []),
        texts.expiry(resetToken.expiresAt.toISOString()),
        '',
      ].join('\n'),
    });
  }

  /**
   * OWASP and NIST: tell the owner. No link: nothing in this mail may undo or change anything by a click. Not
   * awaited: the confirm's answer does not wait for the mail server (PostReset listeners are awaited); a failure
   * is logged.
   */
  @OnEvent(PasswordResetEvents.PostReset, { suppressErrors: false })
  sendPasswordChanged({ user }: PostResetEvent<User>): void {
    const sent = this.send({
      from: FROM,
      to: user.email,
      subject: 'Your password was changed',
      text: [
        `Hello ${user.username},`,
        '',
        `The password of your account was changed at ${new Date().toISOString()} through a reset link.`,
        '',
        'If that was you, there is nothing to do.',
        'If it was not you, someone else can sign in to your account: ask for a new reset link on the sign-in page',
        'at once, choose a password you use nowhere else, and contact our support team.',
        '',
      ].join('\n'),
    });
    sent.catch((error: unknown) => this.logger.error(`The password-changed notice was not sent: ${String(error)}`));
  }

  /**
   * NOTIFY_UNKNOWN_ADDRESSES=true: someone typed an address that has no account. The module emits this from the
   * request's deferred work, after the answer, so the mail costs the answer nothing. Only for email lookups.
   */
  @OnEvent(PasswordResetEvents.RequestUnmatched, { suppressErrors: false })
  async sendNoAccount({ lookupValue, reason }: RequestUnmatchedEvent<User>): Promise<void> {
    if (!this.config.notifyUnknownAddresses || reason !== 'unknown' || this.config.lookupField !== 'email') return;
    await this.send({
      from: FROM,
      to: lookupValue,
      subject: 'Password reset request',
      text: [
        'Hello,',
        '',
        'Someone asked to reset the password of an account with this address, but we have no account for it.',
        'If that was you, you may have signed up with another address. If not, ignore this mail.',
        '',
      ].join('\n'),
    });
  }

  private async send(mail: Mail): Promise<void> {
    if (this.transport) {
      await this.transport.sendMail(mail);
    } else {
      // Development without a mail server: show the mail where the developer is looking.
      process.stdout.write(
        `----- mail (SMTP_HOST is not set, so it is printed instead of sent) -----\n` +
          `From: ${mail.from}\nTo: ${mail.to}\nSubject: ${mail.subject}\n\n${mail.text}` +
          `----- end of mail -----\n`,
      );
    }
  }
}
