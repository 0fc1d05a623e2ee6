// Installed before the meeting page's own scripts (Playwright init script) by JoinLatencyTest: notes, on the
// page's clock (performance.now()), when the pre-join form is submitted and when each step of the join after it
// happens, up to the first frame of the watched participant's video presented on its tile. `origin` (the page
// clock's zero as Unix milliseconds) lets the test line the marks up with the server's log.
(() => {
  const watched = '%WATCHED%';
  const timing = { marks: {}, origin: performance.timeOrigin };
  window.__joinTiming = timing;
  const mark = (key) => {
    if (!(key in timing.marks)) timing.marks[key] = performance.now();
  };
  document.addEventListener('submit', (event) => {
    if (event.target && event.target.id === 'prejoin-form') mark('join');
  }, true);

  // The signaling socket: opened, the join sent, the joined message read.
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('open', () => mark('socketOpen'));
      this.addEventListener('message', (event) => {
        if (typeof event.data === 'string' && event.data.includes('"type":"joined"')) mark('joinedMessage');
        if (typeof event.data === 'string' && event.data.includes('"type":"subscriberOffer"')) mark('offerMessage');
      });
    }

    send(data) {
      if (typeof data === 'string' && data.includes('"type":"join"')) mark('joinSent');
      if (typeof data === 'string' && data.includes('"type":"subscriberAnswer"')) mark('answerSent');
      return super.send(data);
    }
  };

  // Which connection is which: the subscriber connection gets the server's offer, the publisher connection its answer.
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected' && this.joinRole) mark(this.joinRole + 'Connected');
      });
      this.addEventListener('iceconnectionstatechange', () => {
        if (this.joinRole === 'subscriber' && ['connected', 'completed'].includes(this.iceConnectionState)) {
          mark('subscriberIceConnected');
        }
      });
      this.addEventListener('track', () => mark('firstTrack'));
    }

    setRemoteDescription(description) {
      if (description?.type === 'offer') {
        this.joinRole = 'subscriber';
        mark('subscriberOffer');
      } else if (description?.type === 'answer') {
        this.joinRole = 'publisher';
      }
      return super.setRemoteDescription(description);
    }
  };

  // The first frame presented by a <video> on the watched participant's tile.
  const watch = (video) => {
    if (video.joinWatched) return;
    video.joinWatched = true;
    const onFrame = () => {
      const tile = video.closest('.tile');
      if (tile?.dataset.participantName === watched && video.srcObject) mark('firstFrame');
      else video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  new MutationObserver(() => {
    for (const video of document.querySelectorAll('video')) watch(video);
  }).observe(document, { childList: true, subtree: true });
})();
