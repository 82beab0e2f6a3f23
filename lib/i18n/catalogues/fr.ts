import type { ResolvedPasswordResetMessages } from '../../password-reset.messages.js';

/** French. */
export const FR_MESSAGES: ResolvedPasswordResetMessages = {
  invalidToken: () => 'Le jeton de réinitialisation du mot de passe est invalide ou a expiré.',
  unknownAccount: (field) =>
    `Nous n'avons trouvé aucun compte correspondant à ce ${field}. Veuillez essayer un autre ${field}.`,
  tooManyRequests: () => 'Trop de demandes. Veuillez réessayer plus tard.',
  serviceUnavailable: () => 'Le service est indisponible. Veuillez réessayer plus tard.',
  invalidBody: () => 'le corps de la requête doit être un objet JSON ou de formulaire',
  unexpectedField: (field) => `la propriété ${field} n'est pas acceptée`,
  emptyField: (field) => `${field} ne doit pas être vide`,
  notAString: (field) => `${field} doit être une chaîne de caractères`,
  fieldTooLong: (field, maxLength) => `${field} doit comporter au plus ${maxLength} caractères`,
  invalidText: (field) => `${field} doit être un texte UTF-8 valide sans caractère NUL`,
  invalidEmail: (field) => `${field} doit être une adresse e-mail`,
  passwordTooLong: (maxBytes) => `Ce mot de passe est trop long. Il doit tenir en ${maxBytes} octets au plus en UTF-8.`,
  secondFactorRequired: () => 'Un second facteur est nécessaire pour réinitialiser ce mot de passe.',
  secondFactorInvalid: () => "Le second facteur n'a pas pu être vérifié.",
  onePerRequest: () => 'une seule mutation de réinitialisation de mot de passe peut être envoyée par requête',
  passwordTooShort: (min) =>
    `Ce mot de passe est trop court. Il doit contenir au moins ${min} ${min === 1 ? 'caractère' : 'caractères'}.`,
  passwordTooCommon: () => 'Ce mot de passe est trop courant.',
  passwordEntirelyNumeric: () => "Ce mot de passe n'est composé que de chiffres.",
  passwordBlank: () => "Ce mot de passe n'a aucun caractère visible.",
  passwordRepetitive: () => 'Ce mot de passe répète sans cesse les mêmes quelques caractères.',
  passwordSequential: () => 'Ce mot de passe est une suite de caractères, comme abcdefgh ou 12345678.',
  passwordTooSimilar: (attribute) => `Le mot de passe ressemble trop au champ ${attribute}.`,
  passwordBreached: () => 'Ce mot de passe figure dans une fuite de données et ne peut pas être utilisé.',
  breachCheckUnavailable: () =>
    "Impossible de vérifier pour l'instant si ce mot de passe figure dans des fuites de données. Veuillez réessayer plus tard.",
};
