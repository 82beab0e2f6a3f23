import type { ResolvedPasswordResetMessages } from '../../password-reset.messages.js';

/** Brazilian Portuguese. */
export const PT_BR_MESSAGES: ResolvedPasswordResetMessages = {
  invalidToken: () => 'O token de redefinição de senha é inválido ou expirou.',
  unknownAccount: (field) => `Não encontramos nenhuma conta com esse ${field}. Tente outro ${field}.`,
  tooManyRequests: () => 'Muitas solicitações. Tente novamente mais tarde.',
  serviceUnavailable: () => 'O serviço está indisponível. Tente novamente mais tarde.',
  invalidBody: () => 'o corpo da requisição deve ser um objeto JSON ou de formulário',
  unexpectedField: (field) => `a propriedade ${field} não é aceita`,
  emptyField: (field) => `${field} não pode ficar vazio`,
  notAString: (field) => `${field} deve ser um texto`,
  fieldTooLong: (field, maxLength) => `${field} deve ter no máximo ${maxLength} caracteres`,
  invalidText: (field) => `${field} deve ser um texto UTF-8 válido, sem caracteres NUL`,
  invalidEmail: (field) => `${field} deve ser um endereço de e-mail`,
  passwordTooLong: (maxBytes) => `Esta senha é longa demais. Ela pode ter no máximo ${maxBytes} bytes em UTF-8.`,
  secondFactorRequired: () => 'É necessário um segundo fator para redefinir esta senha.',
  secondFactorInvalid: () => 'Não foi possível verificar o segundo fator.',
  onePerRequest: () => 'apenas uma mutação de redefinição de senha pode ser enviada por requisição',
  passwordTooShort: (min) =>
    `Esta senha é curta demais. Ela precisa ter pelo menos ${min} ${min === 1 ? 'caractere' : 'caracteres'}.`,
  passwordTooCommon: () => 'Esta senha é comum demais.',
  passwordEntirelyNumeric: () => 'Esta senha tem apenas números.',
  passwordBlank: () => 'Esta senha não tem nenhum caractere visível.',
  passwordRepetitive: () => 'Esta senha repete os mesmos poucos caracteres várias vezes.',
  passwordSequential: () => 'Esta senha é uma sequência de caracteres, como abcdefgh ou 12345678.',
  passwordTooSimilar: (attribute) => `A senha é parecida demais com o campo ${attribute}.`,
  passwordBreached: () => 'Esta senha apareceu em um vazamento de dados e não pode ser usada.',
  breachCheckUnavailable: () =>
    'Não foi possível verificar agora se esta senha aparece em vazamentos de dados. Tente novamente mais tarde.',
};
