// The reset page: reads the token from the link once, checks it, and asks for the new password.
// No inline code (the Content-Security-Policy forbids it) and no request to any other origin.
const API = '/api/password_reset/';

const token = new URL(window.location.href).searchParams.get('token');
// Out of the address bar (and so out of history, bookmarks and shared screens) as soon as it is read.
if (token !== null) window.history.replaceState(null, '', window.location.pathname);

const $ = (id) => document.getElementById(id);

function show(...ids) {
  for (const id of ['checking', 'reset-form', 'done', 'invalid', 'request-form', 'requested']) {
    $(id).hidden = !ids.includes(id);
  }
}

/** POSTs JSON to the package's API; `body` is its parsed answer when there is one. */
async function post(path, payload) {
  const response = await fetch(API + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  });
  const body = await response.json().catch(() => undefined);
  return { status: response.status, body };
}

function showErrors(id, messages) {
  const list = $(id);
  list.replaceChildren(...messages.map((text) => Object.assign(document.createElement('li'), { textContent: text })));
  list.hidden = messages.length === 0;
}

/** The reasons in a Nest error body (`message` is a string or a list of them). */
function reasons(answer, fallback) {
  const message = answer.body?.message;
  if (answer.status === 429) return ['Too many attempts. Wait a little, then try again.'];
  if (Array.isArray(message)) return message.map(String);
  return [typeof message === 'string' ? message : fallback];
}

/** Disables the form's fields while `work` runs, so it cannot be sent twice. */
async function submitting(form, work) {
  const fieldset = form.querySelector('fieldset');
  fieldset.disabled = true;
  try {
    await work();
  } catch {
    showErrors(form === $('reset-form') ? 'reset-errors' : 'request-errors', [
      'The server cannot be reached. Try again.',
    ]);
  } finally {
    fieldset.disabled = false;
  }
}

$('reset-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const password = $('password').value;
  if (password !== $('password-again').value) {
    showErrors('reset-errors', ['The two passwords do not match.']);
    return;
  }
  showErrors('reset-errors', []);
  submitting($('reset-form'), async () => {
    const answer = await post('confirm/', { token, password, ...account(), ...secondFactor() });
    if (answer.status === 200) {
      $('reset-form').reset();
      show('done');
    } else if (answer.status === 404) {
      show('invalid', 'request-form');
    } else if (answer.status === 403 && answer.body?.secondFactorRequired === true) {
      // No code, or a wrong one: the link still works, so ask for the (next) code.
      askForCode();
      showErrors('reset-errors', reasons(answer, 'Enter the code from your authenticator app.'));
      $('otp').select();
    } else {
      showErrors('reset-errors', reasons(answer, 'The password was not accepted.'));
    }
  });
});

/** The field the API looks accounts up by (the server's LOOKUP_FIELD): `email` or `username`. */
const lookupField = $('request-form').dataset.lookupField;
if (lookupField === 'username') {
  $('account-noun').textContent = 'username';
  $('account-label').textContent = 'Username';
  $('reset-account-label').textContent = 'Username';
  for (const id of ['account', 'reset-account']) {
    Object.assign($(id), { name: 'username', type: 'text', autocomplete: 'username' });
  }
}

/** With codes (RESET_CODES), the API wants the account beside the code: the reset form asks for it. */
const resetCodes = $('reset-form').dataset.resetCodes === 'true';
if (resetCodes) {
  $('reset-account-label').hidden = false;
  Object.assign($('reset-account'), { hidden: false, required: true });
}

/** The account has a second factor: the form asks for its code (the API's proof field `otp`). */
function askForCode() {
  $('otp-label').hidden = false;
  Object.assign($('otp'), { hidden: false, required: true });
}

/** The code's part of a confirm body: nothing while the form does not ask for it. */
function secondFactor() {
  return $('otp').hidden ? {} : { otp: $('otp').value };
}

/** The lookup field's part of a validate or confirm body: nothing for long tokens. */
function account() {
  return resetCodes ? { [lookupField]: $('reset-account').value } : {};
}

$('request-form').addEventListener('submit', (event) => {
  event.preventDefault();
  showErrors('request-errors', []);
  submitting($('request-form'), async () => {
    const answer = await post('', { [lookupField]: $('account').value });
    if (answer.status === 200) show('requested');
    else showErrors('request-errors', reasons(answer, 'The request was not accepted.'));
  });
});

async function start() {
  if (token === null) {
    show('request-form');
    return;
  }
  // A code cannot be checked before the account is typed in: confirm checks it (a wrong one counts).
  if (resetCodes) {
    show('reset-form');
    return;
  }
  // Checking does not use the token up: only the confirm call does.
  const answer = await post('validate_token/', { token }).catch(() => ({ status: 0 }));
  if (answer.status !== 200) {
    show('invalid', 'request-form');
    return;
  }
  if (answer.body?.secondFactorRequired === true) askForCode();
  show('reset-form');
}

start();
