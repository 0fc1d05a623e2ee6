// The viewer page at /watch/<room>: receives the room's current speaker over WHEP (docs/whip-whep.md).
// A join token, when the room needs one, comes in the fragment: /watch/<room>#token=<join token>.
const room = decodeURIComponent(location.pathname.split('/')[2] || '');
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const video = document.getElementById('stage');
const status = document.getElementById('status');
const unmute = document.getElementById('unmute');
document.getElementById('room-name').textContent = room;

let sessionUrl = null;

async function watch() {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  const stream = new MediaStream();
  pc.ontrack = (e) => {
    stream.addTrack(e.track);
    video.srcObject = stream;
  };
  pc.onconnectionstatechange = () => {
    status.textContent = pc.connectionState === 'connected' ? 'Live' : pc.connectionState;
  };
  await pc.setLocalDescription(await pc.createOffer());
  const headers = { 'Content-Type': 'application/sdp' };
  if (token) headers.Authorization = 'Bearer ' + token;
  const res = await fetch('/whep/' + encodeURIComponent(room), { method: 'POST', headers, body: pc.localDescription.sdp });
  if (res.status !== 201) {
    let detail = res.statusText;
    try { detail = (await res.json()).detail || detail; } catch (e) { /* not problem+json */ }
    throw new Error(detail);
  }
  sessionUrl = new URL(res.headers.get('Location'), location.href).href;
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  window.parleyWatch = { pc };
}

unmute.addEventListener('click', () => {
  video.muted = !video.muted;
  unmute.textContent = video.muted ? 'Unmute' : 'Mute';
  video.play().catch(() => {});
});

window.addEventListener('pagehide', () => {
  if (sessionUrl) fetch(sessionUrl, { method: 'DELETE', keepalive: true });
});

watch().catch((e) => { status.textContent = 'Could not watch: ' + e.message; });
