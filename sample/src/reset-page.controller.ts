import { applyDecorators, Controller, Get, Header, Inject } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import type { SampleConfig } from './config.js';
import { SAMPLE_CONFIG } from './config.module.js';

const PUBLIC_DIR = new URL('../public/', import.meta.url);

/**
 * The page's URL carries a secret: no referrer leaves it, only this origin's own files run (no inline code,
 * nothing from elsewhere), it cannot be framed, and no cache keeps a copy.
 */
const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'self'; " +
    "base-uri 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

function Served(contentType: string): MethodDecorator {
  const headers = Object.entries({ 'Content-Type': contentType, ...PAGE_HEADERS });
  return applyDecorators(...headers.map(([name, value]) => Header(name, value)));
}

function readPublic(name: string): string {
  return readFileSync(new URL(name, PUBLIC_DIR), 'utf8');
}

/**
 * The page the mailed link opens (`APP_URL`), with its script and style. Serving it consumes nothing: only
 * the form's confirm call uses the token, so a mail scanner that prefetches the link does no harm.
 */
@Controller()
export class ResetPageController {
  /** The forms send the field the API looks accounts up by; with codes, the reset form asks for it too. */
  private readonly html: string;
  private readonly script = readPublic('reset-password.js');
  private readonly style = readPublic('reset-password.css');

  constructor(@Inject(SAMPLE_CONFIG) config: SampleConfig) {
    this.html = readPublic('reset-password.html')
      .replace('data-lookup-field="email"', `data-lookup-field="${config.lookupField}"`)
      .replace('data-reset-codes="false"', `data-reset-codes="${config.resetCodes}"`);
  }

  @Get('reset-password')
  @Served('text/html; charset=utf-8')
  page(): string {
    return this.html;
  }

  @Get('reset-password.js')
  @Served('text/javascript; charset=utf-8')
  pageScript(): string {
    return this.script;
  }

  @Get('reset-password.css')
  @Served('text/css; charset=utf-8')
  pageStyle(): string {
    return this.style;
  }
}
