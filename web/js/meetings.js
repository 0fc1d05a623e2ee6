// My meetings: create a meeting (title, optional schedule, settings), list the upcoming and live ones this
// account hosts and the past ones it hosted or attended, copy a meeting's join link, join, end.
// Visitors who are not signed in are sent to the sign-in page, which brings them back here.

import { renderAccountNav } from '/js/account-nav.js';
import { api, currentUser, signInHref, storedAccessToken } from '/js/session.js';
import { showProblem, clearProblem } from '/js/form-errors.js';

const $ = (id) => document.getElementById(id);
const STATUS_LABELS = { scheduled: 'Scheduled', live: 'Live', ended: 'Ended' };
const WHEN = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const END_CONFIRM_MILLIS = 4000;

const user = currentUser();

function signedOut() {
  location.replace(signInHref('/meetings.html'));
}

// --- listing ---------------------------------------------------------------------------------------------

function describe(meeting) {
  const parts = [];
  const start = meeting.scheduledStart ? new Date(meeting.scheduledStart) : null;
  const end = meeting.scheduledEnd ? new Date(meeting.scheduledEnd) : null;
  if (meeting.status === 'ended' && meeting.endedAt) parts.push(`Ended ${WHEN.format(new Date(meeting.endedAt))}`);
  else if (start && end) parts.push(`${WHEN.format(start)} – ${end - start < 86_400_000 ? TIME.format(end) : WHEN.format(end)}`);
  else if (start) parts.push(`Starts ${WHEN.format(start)}`);
  else if (end) parts.push(`Until ${WHEN.format(end)}`);
  else parts.push('Any time');
  const s = meeting.settings ?? {};
  if (s.passwordRequired) parts.push('password');
  if (s.guestsAllowed === false) parts.push('accounts only');
  if (s.recordingAllowed === false) parts.push('no recording');
  if (s.captions) parts.push('captions');
  if (s.maxParticipants) parts.push(`up to ${s.maxParticipants}`);
  return parts.join(' · ');
}

function canManage(meeting) {
  return user && (user.role === 'admin' || meeting.hostId === user.id);
}

function renderMeeting(meeting) {
  const item = $('meeting-template').content.firstElementChild.cloneNode(true);
  item.dataset.meetingId = meeting.id;
  item.dataset.room = meeting.room;
  item.querySelector('.title').textContent = meeting.title;
  const status = item.querySelector('.status');
  status.textContent = STATUS_LABELS[meeting.status] ?? meeting.status;
  status.classList.add(meeting.status);
  item.querySelector('.details').textContent = describe(meeting);
  const ended = meeting.status === 'ended';
  const link = item.querySelector('.link');
  link.value = meeting.meetingUrl;
  item.querySelector('.link-row').hidden = ended;
  item.querySelector('.actions').hidden = ended;
  item.querySelector('.join').href = meeting.meetingUrl;
  item.querySelector('.copy').addEventListener('click', (event) => copyLink(event.currentTarget, link));
  const end = item.querySelector('.end');
  end.hidden = !canManage(meeting);
  end.addEventListener('click', () => endMeeting(item, end, meeting));
  if (canManage(meeting)) loadRecordings(item, meeting);
  return item;
}

// --- recordings: hosts see their meetings' recordings with a download link per file ---

const RECORDING_LABELS = { recording: 'Recording now', stopped: 'Uploading', completed: 'Ready', failed: 'Failed' };

async function loadRecordings(item, meeting) {
  let recordings;
  try {
    recordings = (await api('GET', `/meetings/${encodeURIComponent(meeting.id)}/recordings`)).items;
  } catch {
    return; // the meeting list still works without them
  }
  if (!recordings.length) return;
  const list = item.querySelector('.recording-list');
  for (const recording of recordings) {
    const entry = document.createElement('li');
    const when = new Date(recording.startedAt).toLocaleString();
    const length = recording.durationSeconds == null ? '' : `, ${Math.round(recording.durationSeconds)} s`;
    const size = recording.bytes ? `, ${(recording.bytes / 1048576).toFixed(1)} MB` : '';
    const label = document.createElement('span');
    label.textContent = `${when}${length}${size}: ${RECORDING_LABELS[recording.status] ?? recording.status}`
      + (recording.failureReason ? ` (${recording.failureReason})` : '');
    entry.append(label);
    if (recording.status === 'completed') addDownloads(entry, recording.id);
    list.append(entry);
  }
  item.querySelector('.recordings').hidden = false;
}

async function addDownloads(entry, recordingId) {
  let answer;
  try {
    answer = await api('GET', `/recordings/${encodeURIComponent(recordingId)}/download`);
  } catch {
    return;
  }
  const links = document.createElement('ul');
  // The meeting file first: the whole meeting in one file. Without it, say why; the track files remain.
  const meeting = document.createElement('li');
  meeting.className = 'meeting-file';
  if (answer.meetingFile) {
    meeting.append(downloadLink(answer.meetingFile, 'Whole meeting'));
  } else {
    meeting.textContent = `No meeting file (${answer.meetingFileMissing}); the files per track are below.`;
  }
  links.append(meeting);
  for (const file of answer.files) {
    const li = document.createElement('li');
    li.append(downloadLink(file, `${file.participantName} (${file.kind})`));
    links.append(li);
  }
  entry.append(links);
}

function downloadLink(file, text) {
  const link = document.createElement('a');
  link.textContent = text;
  link.download = file.name;
  link.href = file.direct ? file.url : '#';
  // Files in the server's own store need the access token: fetched, then saved from memory.
  if (!file.direct) link.addEventListener('click', (event) => { event.preventDefault(); downloadWithToken(file); });
  return link;
}

async function downloadWithToken(file) {
  const response = await fetch(file.url, { headers: { Authorization: `Bearer ${storedAccessToken()}` } });
  if (!response.ok) return;
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = file.name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function renderList(listId, meetings) {
  $(listId).replaceChildren(...meetings.map(renderMeeting));
  $(`${listId}-empty`).hidden = meetings.length > 0;
}

async function load() {
  try {
    const [upcoming, past] = await Promise.all([api('GET', '/meetings?mine=true'), api('GET', '/meetings?past=true')]);
    renderList('upcoming', upcoming.items);
    renderList('past', past.items);
    $('list-error').hidden = true;
  } catch (error) {
    if (error.status === 401) return signedOut();
    $('list-error').textContent = `Could not load your meetings: ${error.message}`;
    $('list-error').hidden = false;
  }
}

async function copyLink(button, input) {
  try {
    await navigator.clipboard.writeText(input.value);
    button.textContent = 'Copied';
  } catch {
    // No clipboard permission: leave the link selected for the keyboard shortcut.
    input.select();
    button.textContent = 'Press Ctrl+C';
  }
  setTimeout(() => { button.textContent = 'Copy link'; }, 2500);
}

// Ending needs a second click, so a stray click never ends a meeting for everyone.
async function endMeeting(item, button, meeting) {
  if (!button.classList.contains('confirming')) {
    button.classList.add('confirming', 'danger');
    button.textContent = 'End for everyone?';
    setTimeout(() => {
      button.classList.remove('confirming', 'danger');
      button.textContent = 'End meeting';
    }, END_CONFIRM_MILLIS);
    return;
  }
  button.disabled = true;
  try {
    await api('DELETE', `/meetings/${encodeURIComponent(meeting.id)}`);
    await load();
  } catch (error) {
    if (error.status === 401) return signedOut();
    button.disabled = false;
    $('list-error').textContent = `Could not end “${meeting.title}”: ${error.message}`;
    $('list-error').hidden = false;
  }
}

// --- creating --------------------------------------------------------------------------------------------

function isoOrUndefined(input) {
  return input.value ? new Date(input.value).toISOString() : undefined;
}

function readForm() {
  const errors = [];
  const title = $('meeting-title').value.trim();
  if (!title) errors.push({ field: 'title', message: 'Please give the meeting a title.' });
  for (const [id, field] of [['meeting-start', 'scheduledStart'], ['meeting-end', 'scheduledEnd']]) {
    if ($(id).validity.badInput) errors.push({ field, message: 'Please enter a complete date and time.' });
  }
  const max = $('meeting-max');
  if (max.validity.badInput) errors.push({ field: 'settings.maxParticipants', message: 'Please enter a whole number from 1 to 1000.' });
  const settings = {
    guestsAllowed: $('meeting-guests').checked,
    recordingAllowed: $('meeting-recording').checked,
  };
  // Only sent when asked for: a server without AI refuses captions, and says so on the field.
  if ($('meeting-captions').checked) settings.captions = true;
  if ($('meeting-password').value) settings.password = $('meeting-password').value;
  // Sent as typed: the server explains a number out of range.
  if (max.value !== '') settings.maxParticipants = Number(max.value);
  const body = { title, settings };
  const start = isoOrUndefined($('meeting-start'));
  const end = isoOrUndefined($('meeting-end'));
  if (start) body.scheduledStart = start;
  if (end) body.scheduledEnd = end;
  return { body, errors };
}

async function create(event) {
  event.preventDefault();
  const form = $('create-form');
  clearProblem(form);
  const { body, errors } = readForm();
  if (errors.length) {
    showProblem(form, { message: 'Please check the highlighted fields.', errors });
    return;
  }
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const meeting = await api('POST', '/meetings', { body });
    form.reset();
    await load();
    document.querySelector(`.meeting[data-meeting-id="${CSS.escape(meeting.id)}"]`)?.classList.add('fresh');
  } catch (error) {
    if (error.status === 401) return signedOut();
    showProblem(form, error);
  } finally {
    button.disabled = false;
  }
}

function main() {
  if (!user) return signedOut();
  renderAccountNav($('account-nav'));
  const mayHost = user.role === 'admin' || user.role === 'host';
  $('create-form').hidden = !mayHost;
  $('cannot-host').hidden = mayHost;
  $('create-form').addEventListener('submit', create);
  load();
}

main();
