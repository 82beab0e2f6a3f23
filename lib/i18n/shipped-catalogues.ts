import type { ResolvedPasswordResetMessages } from '../password-reset.messages.js';
import { DE_MESSAGES } from './catalogues/de.js';
import { EN_MESSAGES } from './catalogues/en.js';
import { ES_MESSAGES } from './catalogues/es.js';
import { FR_MESSAGES } from './catalogues/fr.js';
import { PT_BR_MESSAGES } from './catalogues/pt-br.js';

/** The languages the package ships, by BCP 47 tag. */
export const SHIPPED_CATALOGUES: Readonly<Record<string, ResolvedPasswordResetMessages>> = {
  en: EN_MESSAGES,
  'pt-BR': PT_BR_MESSAGES,
  es: ES_MESSAGES,
  de: DE_MESSAGES,
  fr: FR_MESSAGES,
};
