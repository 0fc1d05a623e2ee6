// Sign in and sign up. `?mode=signup` opens the sign-up form; `?next=/path` is where to go afterwards
// (My meetings by default). Refusals show the server's problem detail, and field errors beside their fields.

import { signIn, signUp, currentUser, nextPath } from '/js/session.js';
import { showProblem, clearProblem } from '/js/form-errors.js';

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const forms = { signin: $('signin-form'), signup: $('signup-form') };

function choose(mode) {
  for (const [name, form] of Object.entries(forms)) {
    form.hidden = name !== mode;
    $(`tab-${name}`).setAttribute('aria-selected', String(name === mode));
  }
  document.title = `${mode === 'signup' ? 'Create account' : 'Sign in'} · Parley`;
  forms[mode].querySelector('input').focus();
}

// Checks in the browser what the server would refuse anyway, to answer at once.
function localProblems(fields) {
  const errors = [];
  if ('displayName' in fields && !fields.displayName) errors.push({ field: 'displayName', message: 'Please enter your name.' });
  if (!/^[^\s@]+@[^\s@]+$/.test(fields.email)) errors.push({ field: 'email', message: 'Please enter your email address.' });
  if (!fields.password) errors.push({ field: 'password', message: 'Please enter your password.' });
  else if ('displayName' in fields && [...fields.password].length < 8) errors.push({ field: 'password', message: 'Use at least 8 characters.' });
  return errors;
}

async function submit(form, action, fields) {
  clearProblem(form);
  const errors = localProblems(fields);
  if (errors.length) {
    showProblem(form, { message: 'Please check the highlighted fields.', errors });
    return;
  }
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    await action(fields);
    location.assign(nextPath(params));
  } catch (error) {
    showProblem(form, error);
    button.disabled = false;
  }
}

$('tab-signin').addEventListener('click', () => choose('signin'));
$('tab-signup').addEventListener('click', () => choose('signup'));

forms.signin.addEventListener('submit', (event) => {
  event.preventDefault();
  submit(forms.signin, signIn, { email: $('signin-email').value.trim(), password: $('signin-password').value });
});

forms.signup.addEventListener('submit', (event) => {
  event.preventDefault();
  submit(forms.signup, signUp, {
    displayName: $('signup-name').value.trim(),
    email: $('signup-email').value.trim(),
    password: $('signup-password').value,
  });
});

const user = currentUser();
if (user) $('account-tagline').textContent = `You are signed in as ${user.displayName}. Sign in again to switch accounts.`;
choose(params.get('mode') === 'signup' ? 'signup' : 'signin');
