import type { ResolvedPasswordResetMessages } from '../../password-reset.messages.js';

/** German. */
export const DE_MESSAGES: ResolvedPasswordResetMessages = {
  invalidToken: () => 'Der Token zum Zurücksetzen des Passworts ist ungültig oder abgelaufen.',
  unknownAccount: (field) =>
    `Zu diesem Wert für ${field} haben wir kein Konto gefunden. Bitte versuchen Sie einen anderen Wert für ${field}.`,
  tooManyRequests: () => 'Zu viele Anfragen. Bitte versuchen Sie es später erneut.',
  serviceUnavailable: () => 'Der Dienst ist nicht verfügbar. Bitte versuchen Sie es später erneut.',
  invalidBody: () => 'der Anfragetext muss ein JSON- oder Formular-Objekt sein',
  unexpectedField: (field) => `die Eigenschaft ${field} ist nicht erlaubt`,
  emptyField: (field) => `${field} darf nicht leer sein`,
  notAString: (field) => `${field} muss eine Zeichenkette sein`,
  fieldTooLong: (field, maxLength) => `${field} darf höchstens ${maxLength} Zeichen lang sein`,
  invalidText: (field) => `${field} muss gültiger UTF-8-Text ohne NUL-Zeichen sein`,
  invalidEmail: (field) => `${field} muss eine E-Mail-Adresse sein`,
  passwordTooLong: (maxBytes) => `Dieses Passwort ist zu lang. Es darf in UTF-8 höchstens ${maxBytes} Bytes umfassen.`,
  secondFactorRequired: () => 'Zum Zurücksetzen dieses Passworts ist ein zweiter Faktor nötig.',
  secondFactorInvalid: () => 'Der zweite Faktor konnte nicht bestätigt werden.',
  onePerRequest: () => 'pro Anfrage ist nur eine Mutation zum Zurücksetzen des Passworts erlaubt',
  passwordTooShort: (min) => `Dieses Passwort ist zu kurz. Es muss mindestens ${min} Zeichen enthalten.`,
  passwordTooCommon: () => 'Dieses Passwort ist zu gebräuchlich.',
  passwordEntirelyNumeric: () => 'Dieses Passwort besteht nur aus Ziffern.',
  passwordBlank: () => 'Dieses Passwort enthält kein sichtbares Zeichen.',
  passwordRepetitive: () => 'Dieses Passwort wiederholt immer wieder dieselben wenigen Zeichen.',
  passwordSequential: () => 'Dieses Passwort ist eine Zeichenfolge wie abcdefgh oder 12345678.',
  passwordTooSimilar: (attribute) => `Das Passwort ist dem Feld ${attribute} zu ähnlich.`,
  passwordBreached: () => 'Dieses Passwort ist in einem Datenleck aufgetaucht und kann nicht verwendet werden.',
  breachCheckUnavailable: () =>
    'Dieses Passwort konnte gerade nicht mit bekannten Datenlecks abgeglichen werden. Bitte versuchen Sie es später erneut.',
};
