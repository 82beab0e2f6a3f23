import type { ResolvedPasswordResetMessages } from '../../password-reset.messages.js';

/** Spanish. */
export const ES_MESSAGES: ResolvedPasswordResetMessages = {
  invalidToken: () => 'El token para restablecer la contraseña no es válido o ha caducado.',
  unknownAccount: (field) => `No hemos encontrado ninguna cuenta con ese ${field}. Prueba con otro ${field}.`,
  tooManyRequests: () => 'Demasiadas solicitudes. Inténtalo de nuevo más tarde.',
  serviceUnavailable: () => 'El servicio no está disponible. Inténtalo de nuevo más tarde.',
  invalidBody: () => 'el cuerpo de la petición debe ser un objeto JSON o de formulario',
  unexpectedField: (field) => `la propiedad ${field} no está permitida`,
  emptyField: (field) => `${field} no puede estar vacío`,
  notAString: (field) => `${field} debe ser un texto`,
  fieldTooLong: (field, maxLength) => `${field} puede tener como máximo ${maxLength} caracteres`,
  invalidText: (field) => `${field} debe ser texto UTF-8 válido sin caracteres NUL`,
  invalidEmail: (field) => `${field} debe ser una dirección de correo electrónico`,
  passwordTooLong: (maxBytes) =>
    `Esta contraseña es demasiado larga. Puede ocupar como máximo ${maxBytes} bytes en UTF-8.`,
  secondFactorRequired: () => 'Se necesita un segundo factor para restablecer esta contraseña.',
  secondFactorInvalid: () => 'No se ha podido verificar el segundo factor.',
  onePerRequest: () => 'solo se puede enviar una mutación de restablecimiento de contraseña por petición',
  passwordTooShort: (min) =>
    `Esta contraseña es demasiado corta. Debe tener al menos ${min} ${min === 1 ? 'carácter' : 'caracteres'}.`,
  passwordTooCommon: () => 'Esta contraseña es demasiado común.',
  passwordEntirelyNumeric: () => 'Esta contraseña solo contiene números.',
  passwordBlank: () => 'Esta contraseña no tiene ningún carácter visible.',
  passwordRepetitive: () => 'Esta contraseña repite unos pocos caracteres una y otra vez.',
  passwordSequential: () => 'Esta contraseña es una secuencia de caracteres, como abcdefgh o 12345678.',
  passwordTooSimilar: (attribute) => `La contraseña se parece demasiado al campo ${attribute}.`,
  passwordBreached: () => 'Esta contraseña ha aparecido en una filtración de datos y no se puede usar.',
  breachCheckUnavailable: () =>
    'Ahora mismo no se puede comprobar si esta contraseña aparece en filtraciones de datos. Inténtalo de nuevo más tarde.',
};
