// Screen share on the meeting page: the "Share screen" button, and the stage where shared screens show large
// while the camera tiles move to a narrow column beside it. The ParleyClient does the sending (one screen at a
// time, encoded for detail: docs/browsers.md); this module only asks the browser for a screen and lays it out.

const $ = (id) => document.getElementById(id);

let client = null;
let selfId = null;
let starting = false;
let wired = false;

// What went wrong, in the visitor's terms: the picker's outcomes are expected, not failures of the page.
function describeCaptureError(error) {
  switch (error?.name) {
    case 'NotAllowedError':
      return 'Screen sharing was cancelled or not allowed. To share, choose a screen, window or tab and allow it.';
    case 'NotFoundError':
      return 'There is no screen, window or tab to share.';
    case 'NotReadableError':
    case 'AbortError':
      return 'Your screen could not be captured. Another application may be holding it; try again.';
    case 'InvalidStateError':
      return 'Click "Share screen" again to choose what to share.';
    default:
      return `Could not share your screen: ${error?.message ?? error}`;
  }
}

function showShareError(message) {
  const box = $('share-error');
  box.textContent = message ?? '';
  box.hidden = !message;
}

function renderButton() {
  const button = $('share-screen');
  const sharing = client?.screenTrack != null;
  button.hidden = !navigator.mediaDevices?.getDisplayMedia;
  button.disabled = !client?.participantId || starting;
  button.textContent = sharing ? 'Stop sharing' : 'Share screen';
  button.title = sharing ? 'Stop sharing your screen' : 'Share your screen';
  button.setAttribute('aria-pressed', String(sharing));
}

function stageTileOf(participantId) {
  return $('screen-stage').querySelector(`.screen-tile[data-presenter-id="${CSS.escape(participantId)}"]`);
}

function showScreen(participantId, label, stream) {
  let tile = stageTileOf(participantId);
  if (!tile) {
    tile = $('screen-tile-template').content.firstElementChild.cloneNode(true);
    tile.dataset.presenterId = participantId;
    tile.classList.toggle('self', participantId === selfId);
    $('screen-stage').append(tile);
  }
  tile.querySelector('.name').textContent = label;
  const video = tile.querySelector('video');
  if (video.srcObject !== stream) video.srcObject = stream;
  video.play().catch(() => {}); // muted video may always play
  layoutStage();
}

function hideScreen(participantId) {
  const tile = stageTileOf(participantId);
  if (!tile) return;
  tile.querySelector('video').srcObject = null;
  tile.remove();
  layoutStage();
}

function layoutStage() {
  const count = $('screen-stage').children.length;
  $('screen-stage').hidden = count === 0;
  $('screen-stage').closest('.stage').classList.toggle('presenting', count > 0);
}

async function toggleShare() {
  if (!client?.participantId || starting) return;
  showShareError(null);
  if (client.screenTrack) {
    client.stopScreenShare().catch((error) => showShareError(`Could not stop sharing cleanly: ${error.message}`));
    return;
  }
  starting = true;
  renderButton();
  let track = null;
  try {
    // Capture no faster than the screen is sent (docs/browsers.md): frames beyond 15 a second are wasted work.
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 15 } }, audio: false });
    track = stream.getVideoTracks()[0] ?? null;
    if (!track) throw Object.assign(new Error('the browser gave no video to share'), { name: 'NotFoundError' });
    await client.shareScreen(track);
  } catch (error) {
    track?.stop();
    if (error?.code === 'too_many_screens') showShareError('You are already sharing a screen; stop it before sharing another.');
    else if (error?.code) showShareError(`The server did not take your screen: ${error.message}`);
    else showShareError(describeCaptureError(error));
  } finally {
    starting = false;
    renderButton();
  }
}

/** Wires the button and the stage to `parley` (a ParleyClient not yet connected; a later join replaces it). */
export function wireScreenShare(parley) {
  client = parley;
  if (!wired) {
    wired = true;
    $('share-screen').addEventListener('click', toggleShare);
  }
  renderButton();
  parley.addEventListener('joined', ({ detail }) => {
    selfId = detail.participantId;
    renderButton();
  });
  parley.addEventListener('track', ({ detail }) => {
    if (detail.source !== 'screen') return;
    const name = parley.participants.get(detail.participantId)?.name ?? 'Someone';
    showScreen(detail.participantId, `${name} is presenting`, detail.stream);
  });
  parley.addEventListener('trackended', ({ detail }) => {
    if (detail.source === 'screen') hideScreen(detail.participantId);
  });
  parley.addEventListener('participantleft', ({ detail }) => hideScreen(detail.participantId));
  parley.addEventListener('screenshare', ({ detail }) => {
    if (detail.active) showScreen(selfId, 'You are presenting', new MediaStream([detail.track]));
    else hideScreen(selfId);
    renderButton();
  });
  parley.addEventListener('left', () => {
    // Leaving closes the connections, but the capture would go on (and the browser keep its sharing bar).
    parley.screenTrack?.stop();
    hideScreen(selfId ?? '');
  });
}
