import { Inject, Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { PasswordResetEvents, TokenCreatedEvent } from 'nestjs-password-reset';
import { createTransport, SendMailOptions, Transporter } from 'nodemailer';
import type { SampleConfig } from './config.js';
import { SAMPLE_CONFIG } from './config.module.js';
import type { User } from './user.entity.js';

const FROM = 'Sample app <no-reply@example.com>';

/** Delivers each new token as a link to the account's stored address (never the one typed in the request). */
@Injectable()
export class ResetMailer {
  private readonly transport?: Transporter;

  constructor(@Inject(SAMPLE_CONFIG) private readonly config: SampleConfig) {
    this.transport = config.smtp && createTransport({ host: config.smtp.host, port: config.smtp.port });
  }

  // suppressErrors: false lets the module log a failed delivery with the token masked.
  @OnEvent(PasswordResetEvents.TokenCreated, { suppressErrors: false })
  async sendResetLink({ user, token, resetToken }: TokenCreatedEvent<User>): Promise<void> {
    const link = new URL(this.config.appUrl);
    link.searchParams.set('token', token);
    const mail = {
      from: FROM,
      to: user.email,
      subject: 'Reset your password',
      text: [
        `Hello ${user.username},`,
        '',
        'Someone asked to reset the password of your account. To choose a new one, open:',
        '',
        link.href,
        '',
        // A code can also be typed into an app; a long token cannot, so only codes are spelled out.
        ...(this.config.resetCodes ? [`or enter this code with your ${this.config.lookupField}: ${token}`, ''] : []),
        `The link works once, until ${resetToken.expiresAt.toISOString()}. If you did not ask for it, ignore this mail.`,
        '',
      ].join('\n'),
    } satisfies SendMailOptions;
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
