// A WHIP client as RFC 9725 describes it, run in a Chromium page: the fake camera and microphone are sent to
// POST /whip/{room}; the answer completes the connection. Evaluated by WhipBrowserTest with (room, name, token).
async ([room, name, token]) => {
  const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360 } });
  const pc = new RTCPeerConnection();
  for (const track of media.getTracks()) {
    pc.addTransceiver(track, { direction: 'sendonly', streams: [media] });
  }
  await pc.setLocalDescription(await pc.createOffer());
  const headers = { 'Content-Type': 'application/sdp' };
  if (token) headers.Authorization = 'Bearer ' + token;
  const res = await fetch('/whip/' + encodeURIComponent(room) + '?name=' + encodeURIComponent(name),
    { method: 'POST', headers, body: pc.localDescription.sdp });
  if (res.status !== 201) throw new Error('WHIP POST answered ' + res.status + ': ' + await res.text());
  const location = res.headers.get('Location');
  const etag = res.headers.get('ETag');
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  window.whip = { pc, location, etag };
  return { location, etag, links: res.headers.get('Link') };
}
