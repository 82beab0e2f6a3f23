import { Injectable } from '@nestjs/common';
import { SecondFactorProof, SecondFactorVerifier } from 'nestjs-password-reset';
import { generateSync, verify } from 'otplib';
import { User } from './user.entity.js';

/** RFC 6238 as authenticator apps use it: HMAC-SHA-1, 6 digits, 30-second steps. */
const TOTP = { algorithm: 'sha1', digits: 6, period: 30 } as const;

/** Why `secret` cannot be a TOTP secret (not base32, under 16 bytes), or undefined when it can. */
export function totpSecretProblem(secret: string): string | undefined {
  try {
    generateSync({ ...TOTP, secret });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The sample's second factor: accounts seeded with a `totpSecret` must send the code of their authenticator app
 * in the confirm's `otp` field. The package counts every code against the token's attempt cap before this
 * runs, so a guesser gets 5 codes per link.
 */
@Injectable()
export class TotpSecondFactorVerifier extends SecondFactorVerifier<User> {
  readonly proofFields = ['otp'];

  isEnrolled(user: User): boolean {
    return user.totpSecret !== null;
  }

  async verify(user: User, { otp }: SecondFactorProof): Promise<boolean> {
    // otplib throws for anything but six digits; that is a wrong code here.
    if (user.totpSecret === null || otp === undefined || !/^\d{6}$/.test(otp)) return false;
    // One step either side: phone and server clocks may disagree by a few seconds. (otplib compares in constant time.)
    const { valid } = await verify({ ...TOTP, secret: user.totpSecret, token: otp, epochTolerance: TOTP.period });
    return valid;
  }
}
