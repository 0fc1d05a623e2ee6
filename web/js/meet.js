// Meeting page: pre-join preview, then a grid of participant tiles with mic, camera, chat and leave.
// The page's room comes from /meet/<room>; ?name= prefills the name, ?prejoin=0 joins straight away,
// ?token= passes a join token. The ParleyClient is exposed as window.parley for diagnostics and tests.
// Every visitor first asks the REST API for a join token for the meeting behind the room (a signed-in account
// joins as itself, a guest with its name and the meeting's password); a room with no meeting behind it is
// joined with no token.

import { ParleyClient } from '/js/parley.js';
import { api, currentUser, signInHref } from '/js/session.js';
import { wireScreenShare } from '/js/meet-screen.js';

const ROOM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const NAME_KEY = 'parley.name';

const params = new URLSearchParams(location.search);
const room = roomFromLocation();
const meetingKey = params.get('meeting');
const $ = (id) => document.getElementById(id);

let localStream = null;
let client = null;
let selfId = null;
let wantAudio = true;
let wantVideo = true;
let soundBlocked = false;
// Each remote tile's size goes to the server, which forwards the simulcast layer that fits it (0x0: hidden).
const tileSizes = new ResizeObserver((entries) => {
  for (const entry of entries) {
    const id = entry.target.closest('.tile')?.dataset.participantId;
    if (id && client) client.setVideoSize(id, entry.contentRect.width, entry.contentRect.height);
  }
});

function roomFromLocation() {
  const match = location.pathname.match(/^\/meet\/([^/]+)\/?$/);
  const raw = match ? decodeURIComponent(match[1]) : params.get('room');
  return raw && ROOM_PATTERN.test(raw) ? raw : null;
}

function show(screenId) {
  for (const screen of document.querySelectorAll('.screen')) screen.hidden = screen.id !== screenId;
}

function rejoinPath() {
  const again = new URL(location.href);
  again.searchParams.delete('prejoin');
  return again.pathname + again.search;
}

function showEnded(title, detail) {
  $('ended-title').textContent = title;
  $('ended-detail').textContent = detail ?? '';
  $('rejoin').href = rejoinPath();
  $('rejoin').hidden = room === null;
  $('ended-signin').hidden = true;
  show('ended');
}

// The meeting admits only accounts (or the server requires one): offer to sign in and come back.
function showSignInNeeded(detail) {
  showEnded('Sign in to join this meeting', detail);
  $('ended-signin').href = signInHref(rejoinPath());
  $('ended-signin').hidden = false;
  $('rejoin').hidden = true;
}

async function openCamera() {
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true },
      video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
    });
  } catch (error) {
    console.warn('Parley: no camera/microphone', error);
    return null;
  }
}

// --- pre-join --------------------------------------------------------------------------------------------

function setToggle(button, on, onLabel, offLabel) {
  button.setAttribute('aria-pressed', String(on));
  button.textContent = on ? onLabel : offLabel;
}

function applyPreviewState() {
  for (const track of localStream?.getAudioTracks() ?? []) track.enabled = wantAudio;
  for (const track of localStream?.getVideoTracks() ?? []) track.enabled = wantVideo;
  setToggle($('prejoin-mic'), wantAudio, 'Microphone on', 'Microphone off');
  setToggle($('prejoin-cam'), wantVideo, 'Camera on', 'Camera off');
  $('preview-placeholder').hidden = wantVideo && localStream?.getVideoTracks().length > 0;
}

function prejoinError(message) {
  $('prejoin-error').textContent = message;
  $('prejoin-error').hidden = !message;
}

function renderPrejoinAccount() {
  const user = currentUser();
  const note = $('prejoin-account');
  note.replaceChildren();
  if (user) {
    note.textContent = `Signed in as ${user.email}.`;
    return;
  }
  const link = Object.assign(document.createElement('a'), { href: signInHref(rejoinPath()), textContent: 'Sign in' });
  note.append('Joining as a guest. ', link, ' to join with your account.');
}

function showPrejoin(name) {
  show('prejoin');
  const nameInput = $('prejoin-name');
  nameInput.value = name;
  $('preview').srcObject = localStream;
  if (!localStream) prejoinError('No camera or microphone available: you can still join to watch and listen.');
  renderPrejoinAccount();
  applyPreviewState();
  (name ? $('prejoin-form').querySelector('button[type=submit]') : nameInput).focus();
}

// The meeting has a password: ask for it on the pre-join screen (also when ?prejoin=0 skipped it).
function askForPassword(name, message) {
  showPrejoin(name);
  $('prejoin-password-field').hidden = false;
  prejoinError(message);
  $('prejoin-password').focus();
}

function wirePrejoin() {
  const nameInput = $('prejoin-name');
  $('prejoin-mic').addEventListener('click', () => { wantAudio = !wantAudio; applyPreviewState(); });
  $('prejoin-cam').addEventListener('click', () => { wantVideo = !wantVideo; applyPreviewState(); });
  $('prejoin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = nameInput.value.trim();
    if (!chosen || chosen.length > 64) {
      $('prejoin-error').textContent = 'Please enter your name (up to 64 characters).';
      $('prejoin-error').hidden = false;
      nameInput.focus();
      return;
    }
    localStorage.setItem(NAME_KEY, chosen);
    join(chosen);
  });
}

// --- join token ------------------------------------------------------------------------------------------

const PASSWORD_MESSAGES = {
  missing: 'This meeting has a password. Please enter it.',
  wrong: 'That password is not right. Please try again.',
};

/**
 * The join token to connect with: ?token= as given; otherwise one from POST /meetings/{id-or-room}/join, for
 * guests too, so a meeting's settings (password, guests allowed) apply to whoever opens its link. Resolves
 * undefined to join as a plain guest (no token) when the room has no meeting behind it, or null when the join
 * cannot go on and the page already shows why.
 */
async function joinToken(name) {
  if (params.get('token')) return params.get('token');
  const signedIn = currentUser() !== null;
  const body = { name };
  const password = $('prejoin-password').value;
  if (password) body.password = password;
  try {
    const ticket = await api('POST', `/meetings/${encodeURIComponent(meetingKey ?? room)}/join`, { body });
    return ticket.token;
  } catch (error) {
    // An ad-hoc room has no meeting behind it: everyone joins it as today.
    if (error.status === 404 && !meetingKey) return undefined;
    // The session ended (and was cleared): carry on as a guest.
    if (error.status === 401 && signedIn && currentUser() === null) return joinToken(name);
    switch (error.type) {
      case 'wrong-meeting-password':
        askForPassword(name, password ? PASSWORD_MESSAGES.wrong : PASSWORD_MESSAGES.missing);
        return null;
      case 'guests-not-allowed':
      case 'unauthorized':
        showSignInNeeded('This meeting admits only signed-in accounts.');
        return null;
      case 'meeting-ended':
        showEnded('This meeting has ended', 'Ask the host for a new link.');
        return null;
      case 'meeting-full':
        showEnded('This meeting is full', error.message);
        return null;
      default:
        showEnded('Could not join the meeting', error.message);
        return null;
    }
  }
}

// --- tiles -----------------------------------------------------------------------------------------------

function tileOf(participantId) {
  return $('tiles').querySelector(`.tile[data-participant-id="${CSS.escape(participantId)}"]`);
}

function initials(name) {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((part) => part[0].toUpperCase()).join('') || '?';
}

function ensureTile(participantId, name, isSelf) {
  let tile = tileOf(participantId);
  if (!tile) {
    tile = $('tile-template').content.firstElementChild.cloneNode(true);
    tile.dataset.participantId = participantId;
    tile.classList.toggle('self', isSelf);
    const video = tile.querySelector('video');
    // Our own tile must never play our microphone back to us.
    video.muted = isSelf || soundBlocked;
    const remove = tile.querySelector('.remove');
    remove.hidden = isSelf || !client?.isHost;
    remove.addEventListener('click', () => confirmRemove(participantId));
    tile.classList.toggle('video-paused', client?.videoPaused.includes(participantId) ?? false);
    if (!isSelf) tileSizes.observe(video);
    $('tiles').append(tile);
    layoutTiles();
  }
  if (name !== undefined) {
    tile.dataset.participantName = name;
    tile.querySelector('.name').textContent = isSelf ? `${name} (you)` : name;
    tile.querySelector('.initials').textContent = initials(name);
    if (participantId === client?.activeSpeaker) renderActiveSpeaker(participantId);
  }
  return tile;
}

// Hosts: remove someone, after asking, by name, so that a mis-click does not bar them from the meeting.
function confirmRemove(participantId) {
  const name = tileOf(participantId)?.dataset.participantName ?? 'this participant';
  if (!window.confirm(`Remove ${name} from the meeting? They cannot rejoin until it ends.`)) return;
  client?.remove(participantId);
}

function renderMuteState(tile, audioMuted, videoMuted, hasVideo) {
  tile.querySelector('.mic-off').hidden = !audioMuted;
  tile.querySelector('.placeholder').hidden = !videoMuted && hasVideo && !tile.classList.contains('video-paused');
  tile.classList.toggle('camera-off', videoMuted || !hasVideo);
}

function renderParticipant(participant) {
  const tile = ensureTile(participant.id, participant.name, false);
  const video = tile.querySelector('video');
  const hasVideo = video.srcObject instanceof MediaStream && video.srcObject.getVideoTracks().length > 0;
  renderMuteState(tile, participant.audioMuted, participant.videoMuted, hasVideo);
}

function renderSelf() {
  const tile = ensureTile(selfId, undefined, true);
  const hasVideo = (localStream?.getVideoTracks().length ?? 0) > 0;
  renderMuteState(tile, !wantAudio || !localStream?.getAudioTracks().length, !wantVideo, hasVideo);
}

function attachStream(tile, stream) {
  const video = tile.querySelector('video');
  if (video.srcObject !== stream) video.srcObject = stream;
  play(video);
}

function play(video) {
  video.play().catch((error) => {
    if (error.name !== 'NotAllowedError' || video.muted) return;
    // The browser refuses sound before a user gesture: play muted now, offer to turn sound on.
    soundBlocked = true;
    video.muted = true;
    video.play().catch(() => {});
    $('status').textContent = 'Click anywhere to hear the others';
    document.addEventListener('click', unblockSound, { once: true });
  });
}

function unblockSound() {
  soundBlocked = false;
  $('status').textContent = '';
  for (const tile of $('tiles').querySelectorAll('.tile:not(.self)')) {
    const video = tile.querySelector('video');
    video.muted = false;
    video.play().catch(() => {});
  }
}

function removeTile(participantId) {
  const tile = tileOf(participantId);
  if (!tile) return;
  tileSizes.unobserve(tile.querySelector('video'));
  tile.querySelector('video').srcObject = null;
  tile.remove();
  if ($('tiles').dataset.activeSpeaker === participantId) renderActiveSpeaker(null);
  layoutTiles();
}

// Columns and rows so that tiles stay as large as the stage allows.
function layoutTiles() {
  const count = Math.max(1, $('tiles').children.length);
  const wide = window.innerWidth >= window.innerHeight;
  const cols = wide ? Math.ceil(Math.sqrt(count)) : Math.ceil(count / Math.ceil(Math.sqrt(count)));
  $('tiles').style.setProperty('--cols', String(cols));
  $('tiles').style.setProperty('--rows', String(Math.ceil(count / cols)));
}

// --- active speaker and last-N ---------------------------------------------------------------------------

// The speaker's tile is highlighted and comes first in the grid (CSS order); #tiles names the speaker in
// data-active-speaker, and a visually hidden live region says it for screen readers.
function renderActiveSpeaker(participantId) {
  for (const tile of $('tiles').querySelectorAll('.tile.speaking')) {
    tile.classList.remove('speaking');
    tile.removeAttribute('aria-label');
  }
  const tile = participantId ? tileOf(participantId) : null;
  const name = tile?.dataset.participantName ?? client?.participants.get(participantId)?.name ?? '';
  if (tile) {
    tile.classList.add('speaking');
    tile.setAttribute('aria-label', `${name}${participantId === selfId ? ' (you)' : ''}, speaking`);
  }
  if (participantId) $('tiles').dataset.activeSpeaker = participantId;
  else delete $('tiles').dataset.activeSpeaker;
  $('speaker-status').textContent = !name ? '' : participantId === selfId ? 'You are speaking' : `${name} is speaking`;
}

// Last-N: a tile whose video the server holds back shows the name and initials, not a frozen frame.
function renderVideoPaused(participantIds) {
  for (const tile of $('tiles').querySelectorAll('.tile:not(.self)')) {
    const paused = participantIds.includes(tile.dataset.participantId);
    if (paused === tile.classList.contains('video-paused')) continue;
    tile.classList.toggle('video-paused', paused);
    tile.querySelector('.placeholder').title = paused ? 'Video paused: not among the latest speakers' : '';
    const participant = client.participants.get(tile.dataset.participantId);
    if (participant) renderParticipant(participant);
  }
}

// --- chat ------------------------------------------------------------------------------------------------

function appendChat({ name, text, sentAt, self }) {
  const item = document.createElement('li');
  item.classList.toggle('self', self);
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = self ? 'You' : name;
  const when = document.createElement('time');
  const date = sentAt ? new Date(sentAt) : new Date();
  when.dateTime = date.toISOString();
  when.textContent = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const body = document.createElement('p');
  body.textContent = text;
  item.append(who, when, body);
  $('chat-log').append(item);
  item.scrollIntoView({ block: 'end' });
  if ($('chat').hidden && !self) {
    const badge = $('chat-unread');
    badge.textContent = String(Number(badge.textContent || '0') + 1);
    badge.hidden = false;
  }
}

function toggleChat() {
  const open = $('chat').hidden;
  $('chat').hidden = !open;
  $('chat-toggle').setAttribute('aria-pressed', String(open));
  if (open) {
    $('chat-unread').hidden = true;
    $('chat-unread').textContent = '';
    $('chat-input').focus();
  }
}

// --- meeting ---------------------------------------------------------------------------------------------

function renderControls() {
  const mic = $('mic');
  mic.setAttribute('aria-pressed', String(!wantAudio));
  mic.textContent = wantAudio ? 'Mute' : 'Unmute';
  mic.title = wantAudio ? 'Mute microphone' : 'Unmute microphone';
  mic.disabled = !localStream?.getAudioTracks().length;
  const cam = $('cam');
  cam.setAttribute('aria-pressed', String(!wantVideo));
  cam.textContent = wantVideo ? 'Stop video' : 'Start video';
  cam.title = wantVideo ? 'Turn camera off' : 'Turn camera on';
  cam.disabled = !localStream?.getVideoTracks().length;
}

function wireClient() {
  client.addEventListener('participantjoined', ({ detail }) => renderParticipant(detail.participant));
  client.addEventListener('participantupdated', ({ detail }) => renderParticipant(detail.participant));
  client.addEventListener('participantleft', ({ detail }) => removeTile(detail.participantId));
  client.addEventListener('track', ({ detail }) => {
    if (detail.source === 'screen') return; // shown on the stage (meet-screen.js)
    const participant = client.participants.get(detail.participantId);
    const tile = ensureTile(detail.participantId, participant?.name ?? '…', false);
    attachStream(tile, detail.stream);
    if (participant) renderParticipant(participant);
  });
  client.addEventListener('chat', ({ detail }) => appendChat(detail));
  wireScreenShare(client);
  client.addEventListener('recording', ({ detail }) => renderRecording(detail));
  client.addEventListener('caption', ({ detail }) => addCaption(detail));
  client.addEventListener('captionstatus', ({ detail }) => renderCaptionStatus(detail.status));
  client.addEventListener('emotion', ({ detail }) => addEmotion(detail));
  client.addEventListener('activespeaker', ({ detail }) => renderActiveSpeaker(detail.participantId));
  client.addEventListener('videopaused', ({ detail }) => renderVideoPaused(detail.participantIds));
  client.addEventListener('lobby', () => show('lobby'));
  client.addEventListener('lobbyupdated', ({ detail }) => renderLobby(detail.waiting));
  client.addEventListener('connectionstatechange', ({ detail }) => {
    const labels = { connecting: 'Connecting…', disconnected: 'Connection lost, retrying…', failed: 'Connection failed' };
    if (!soundBlocked) $('status').textContent = labels[detail.state] ?? '';
  });
  client.addEventListener('reconnecting', () => { $('reconnecting-banner').hidden = false; });
  client.addEventListener('reconnected', () => { $('reconnecting-banner').hidden = true; });
  client.addEventListener('participantreconnecting', ({ detail }) => {
    tileOf(detail.participantId)?.classList.toggle('reconnecting', detail.reconnecting);
  });
  client.addEventListener('left', ({ detail }) => {
    $('reconnecting-banner').hidden = true;
    for (const track of localStream?.getTracks() ?? []) track.stop();
    // A refused join closes the socket too; join() already shows why, which must stay on screen.
    if (!selfId) return;
    if (detail.reason === 'left') showEnded('You left the meeting');
    else if (detail.reason === 'meeting_ended') showEnded('The meeting has ended', 'The host ended it for everyone.');
    else if (detail.reason === 'removed_by_host') showRemoved();
    else if (detail.reason === 'account_disabled' || detail.reason === 'account_deleted') {
      showEnded('You are no longer in the meeting', 'Your account was disabled or deleted by an administrator.');
    }
    else showEnded('You are no longer in the meeting', `Reason: ${detail.reason}.`);
  });
  client.addEventListener('error', ({ detail }) => {
    if (detail.requestType === 'startRecording' || detail.requestType === 'stopRecording') $('record').disabled = false;
    if (detail.requestType === 'setCaptions') $('captions-host').disabled = false;
    if (detail.code === 'bad_message' || detail.code === 'unknown_type') return;
    if (!soundBlocked) $('status').textContent = `Problem: ${detail.message}`;
  });
  document.title = `${room} · Parley`;
}

async function join(name) {
  const submit = $('prejoin-form').querySelector('button[type=submit]');
  submit.disabled = true;
  // The signaling socket opens while the join token is fetched (both are a round trip to the server); the join
  // itself goes out once the token is there, and not at all when there is none (null: the page shows why).
  const token = joinToken(name);
  const joining = new ParleyClient();
  const joined = joining.connect({ room, name, token });
  joined.catch(() => {}); // awaited below, unless the token is refused
  const granted = await token;
  submit.disabled = false;
  if (granted === null) return;
  client = joining;
  window.parley = client;
  wireClient();
  show('meeting');
  $('status').textContent = 'Joining…';
  try {
    await joined;
  } catch (error) {
    for (const track of localStream?.getTracks() ?? []) track.stop();
    showJoinRefused(name, error);
    return;
  }
  show('meeting');
  $('status').textContent = '';
  selfId = client.participantId;
  const selfTile = ensureTile(selfId, name, true);
  if (localStream) attachStream(selfTile, localStream);
  for (const participant of client.participants.values()) renderParticipant(participant);
  renderSelf();
  renderActiveSpeaker(client.activeSpeaker);
  renderVideoPaused(client.videoPaused);
  renderControls();
  renderRecording(client.recording);
  renderCaptionStatus(client.captionStatus);
  if (!wantAudio) client.setMuted('audio', true);
  if (!wantVideo) client.setMuted('video', true);
  if (localStream) {
    try {
      await client.publish(localStream);
    } catch (error) {
      $('status').textContent = `Could not send your camera: ${error.message}`;
    }
  }
}

// --- recording -------------------------------------------------------------------------------------------

// Everyone sees that the meeting is recorded; whoever may record (hosts, and joins whose token grants canRecord)
// gets a Record/Stop button, which goes over signaling. The answer is the `recording` message or an `error`.
function renderRecording({ active }) {
  $('recording-indicator').hidden = !active;
  const button = $('record');
  button.hidden = !client?.canRecord;
  button.disabled = false;
  button.textContent = active ? 'Stop recording' : 'Record';
  button.setAttribute('aria-pressed', String(active));
}

function toggleRecording() {
  const button = $('record');
  button.disabled = true;
  if (client.recording.active) client.stopRecording();
  else client.startRecording();
}

// --- captions and emotions --------------------------------------------------------------------------------

// The last few captions show over the stage, each fading out after a while; an interim caption is replaced by
// its speaker's next one. Everyone may hide them locally; hosts turn captioning on and off for the meeting.
const CAPTION_LINES = 3;
const CAPTION_SHOWN_MS = 8_000;
const EMOTION_SAMPLES = 40;
let captionLines = [];
let captionsHidden = false;
const emotionRows = new Map();

function addCaption({ participantId, name, text, final }) {
  if (!text) return;
  const last = captionLines.findLast((line) => line.participantId === participantId);
  if (last && !last.final) captionLines.splice(captionLines.indexOf(last), 1);
  captionLines.push({ participantId, name, text, final, at: Date.now() });
  captionLines = captionLines.slice(-CAPTION_LINES);
  renderCaptions();
  setTimeout(renderCaptions, CAPTION_SHOWN_MS + 50);
}

function renderCaptions() {
  const now = Date.now();
  captionLines = captionLines.filter((line) => now - line.at < CAPTION_SHOWN_MS);
  const box = $('captions');
  box.replaceChildren(...captionLines.map((line, i) => {
    const p = document.createElement('p');
    p.className = 'caption' + (line.final ? '' : ' interim') + (i < captionLines.length - 1 ? ' older' : '');
    // Re-rendered lines keep fading from where they were, not from the start.
    p.style.animationDelay = `-${now - line.at}ms`;
    const who = document.createElement('strong');
    who.textContent = `${line.name}: `;
    p.append(who, document.createTextNode(line.text));
    return p;
  }));
  // A caption that arrives is shown even if its status message was missed: it proves captions are on.
  box.hidden = captionsHidden || captionLines.length === 0;
  if (captionLines.length) $('captions-toggle').hidden = false;
}

function renderCaptionStatus(status) {
  $('captions-paused').hidden = status !== 'paused';
  const toggle = $('captions-toggle');
  toggle.hidden = status === 'off';
  toggle.setAttribute('aria-pressed', String(!captionsHidden));
  const host = $('captions-host');
  host.hidden = !client?.isHost;
  host.disabled = false;
  host.textContent = status === 'off' ? 'Start captions' : 'Stop captions';
  host.setAttribute('aria-pressed', String(status !== 'off'));
  $('emotion-toggle').hidden = !client?.isHost || (status === 'off' && emotionRows.size === 0);
  if (status === 'off') captionLines = [];
  renderCaptions();
}

function toggleCaptionsShown() {
  captionsHidden = !captionsHidden;
  $('captions-toggle').setAttribute('aria-pressed', String(!captionsHidden));
  renderCaptions();
}

function toggleCaptionsForEveryone() {
  $('captions-host').disabled = true;
  client.setCaptions(client.captionStatus === 'off');
}

// Hosts: one strip per participant, the labels heard in order, newest last.
function addEmotion({ participantId, name, label, score, start }) {
  let row = emotionRows.get(participantId);
  if (!row) {
    row = document.createElement('li');
    const who = document.createElement('span');
    who.className = 'who';
    const strip = document.createElement('span');
    strip.className = 'strip';
    row.append(who, strip);
    emotionRows.set(participantId, row);
    $('emotion-list').append(row);
    $('emotion-toggle').hidden = false;
  }
  row.querySelector('.who').textContent = name;
  const strip = row.querySelector('.strip');
  const chip = document.createElement('span');
  chip.className = `emotion emotion-${label.toLowerCase().replace(/[^a-z]/g, '') || 'other'}`;
  chip.textContent = label;
  const when = start ? new Date(start).toLocaleTimeString() : '';
  chip.title = `${label} ${Math.round(score * 100)}%${when ? ` at ${when}` : ''}`;
  strip.append(chip);
  while (strip.childElementCount > EMOTION_SAMPLES) strip.firstElementChild.remove();
}

function toggleEmotionPanel() {
  const panel = $('emotion-panel');
  panel.hidden = !panel.hidden;
  $('emotion-toggle').setAttribute('aria-pressed', String(!panel.hidden));
}

// A join the server refused (docs/protocol.md error codes), said in the visitor's terms.
function showJoinRefused(name, error) {
  switch (error.code) {
    case 'auth':
    case 'account_disabled':
    case 'account_deleted':
    case 'guests_not_allowed':
      showSignInNeeded(error.message);
      return;
    case 'password_required':
      askForPassword(name, 'This meeting has a password. Please enter it.');
      return;
    case 'meeting_ended':
      showEnded('This meeting has ended', 'Ask the host for a new link.');
      return;
    case 'meeting_full':
      showEnded('This meeting is full', error.message);
      return;
    case 'lobby_refused':
      showEnded('The host did not let you in', 'You can ask to join again.');
      return;
    case 'removed':
    case 'removed_by_host':
      showRemoved();
      return;
    case 'left':
      showEnded('You left the meeting');
      return;
    case 'lobby_full':
      showEnded('Too many people are waiting to join', 'Please try again in a moment.');
      return;
    default:
      showEnded('Could not join the meeting', error.message);
  }
}

// Removed by a host: rejoining is refused until the meeting ends, so offer no rejoin link.
function showRemoved() {
  showEnded('A host removed you from the meeting', 'You cannot rejoin it until it ends.');
  $('rejoin').hidden = true;
}

// Hosts: who waits in the lobby, each with Admit and Refuse.
function renderLobby(waiting) {
  const list = $('lobby-list');
  list.replaceChildren();
  for (const person of waiting) {
    const item = document.createElement('li');
    item.dataset.waitingId = person.waitingId;
    const who = Object.assign(document.createElement('span'), { className: 'who', textContent: person.name });
    const admit = Object.assign(document.createElement('button'), { type: 'button', className: 'primary small admit', textContent: 'Admit' });
    const refuse = Object.assign(document.createElement('button'), { type: 'button', className: 'secondary small refuse', textContent: 'Refuse' });
    admit.addEventListener('click', () => client?.admit(person.waitingId));
    refuse.addEventListener('click', () => client?.refuse(person.waitingId));
    item.append(who, admit, refuse);
    list.append(item);
  }
  $('lobby-panel').hidden = waiting.length === 0;
  if (waiting.length > 0 && !soundBlocked) {
    $('status').textContent = waiting.length === 1 ? '1 person is waiting to join' : `${waiting.length} people are waiting to join`;
  } else if (!soundBlocked) {
    $('status').textContent = '';
  }
}

function wireMeetingControls() {
  $('lobby-leave').addEventListener('click', () => client?.leave());
  $('mic').addEventListener('click', () => {
    wantAudio = !wantAudio;
    client?.setMuted('audio', !wantAudio);
    renderControls();
    renderSelf();
  });
  $('cam').addEventListener('click', () => {
    wantVideo = !wantVideo;
    client?.setMuted('video', !wantVideo);
    renderControls();
    renderSelf();
  });
  $('chat-toggle').addEventListener('click', toggleChat);
  $('chat-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('chat-input').value.trim();
    if (!text || !client) return;
    client.sendChat(text);
    $('chat-input').value = '';
  });
  $('leave').addEventListener('click', () => client?.leave());
  $('record').addEventListener('click', () => { if (client) toggleRecording(); });
  $('captions-toggle').addEventListener('click', toggleCaptionsShown);
  $('captions-host').addEventListener('click', () => { if (client) toggleCaptionsForEveryone(); });
  $('emotion-toggle').addEventListener('click', toggleEmotionPanel);
  $('copy-link').addEventListener('click', async () => {
    const link = `${location.origin}/meet/${encodeURIComponent(room)}`;
    try {
      await navigator.clipboard.writeText(link);
      $('copy-link').textContent = 'Copied';
    } catch {
      window.prompt('Meeting link', link);
    }
  });
  window.addEventListener('resize', layoutTiles);
  window.addEventListener('pagehide', () => client?.leave());
}

async function main() {
  for (const label of document.querySelectorAll('.room-name')) label.textContent = room ?? '';
  if (!room) {
    showEnded('No such meeting link', 'A meeting link looks like /meet/<room>, where the room uses letters, digits, dot, dash and underscore.');
    return;
  }
  wireMeetingControls();
  wirePrejoin();
  const name = (params.get('name') ?? currentUser()?.displayName ?? localStorage.getItem(NAME_KEY) ?? '').trim().slice(0, 64);
  localStream = await openCamera();
  if (params.get('prejoin') === '0' && name) join(name);
  else showPrejoin(name);
}

main();
