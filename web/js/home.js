// Home page: choose a room (a random suggestion to start with) and a name, then go to the meeting.
// The header offers signing in, or My meetings and signing out; a signed-in account's name is the default.

import { renderAccountNav } from '/js/account-nav.js';
import { currentUser } from '/js/session.js';

const ADJECTIVES = ['amber', 'brave', 'calm', 'clever', 'eager', 'gentle', 'golden', 'lively', 'lucky', 'quiet', 'rapid', 'sunny', 'swift', 'vivid', 'witty'];
const NOUNS = ['badger', 'comet', 'falcon', 'harbor', 'island', 'lantern', 'maple', 'meadow', 'otter', 'pebble', 'river', 'summit', 'thistle', 'willow'];
const ROOM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const NAME_KEY = 'parley.name';

const form = document.getElementById('start-form');
const roomInput = document.getElementById('room');
const nameInput = document.getElementById('name');
const errorBox = document.getElementById('form-error');

function pick(list) {
  return list[crypto.getRandomValues(new Uint32Array(1))[0] % list.length];
}

function suggestRoom() {
  const number = crypto.getRandomValues(new Uint16Array(1))[0] % 1000;
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${number}`;
}

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = !message;
}

roomInput.value = suggestRoom();
// Signing in from here leads to My meetings: coming back to the home page would be a detour.
renderAccountNav(document.getElementById('account-nav'), { signInNext: null });
nameInput.value = localStorage.getItem(NAME_KEY) ?? currentUser()?.displayName ?? '';
(nameInput.value ? roomInput : nameInput).focus();

document.getElementById('shuffle').addEventListener('click', () => {
  roomInput.value = suggestRoom();
  showError('');
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const room = roomInput.value.trim();
  const name = nameInput.value.trim();
  if (!ROOM_PATTERN.test(room)) {
    showError('The room name may only use letters, digits, dot, dash and underscore (up to 64).');
    roomInput.focus();
    return;
  }
  if (!name || name.length > 64) {
    showError('Please enter your name (up to 64 characters).');
    nameInput.focus();
    return;
  }
  localStorage.setItem(NAME_KEY, name);
  location.assign(`/meet/${encodeURIComponent(room)}?name=${encodeURIComponent(name)}`);
});
