// Parley JavaScript SDK: joins a Parley room over the signaling WebSocket and carries media over two
// RTCPeerConnections (publisher: ours to the server; subscriber: everyone else's from the server).
// The protocol is described in docs/protocol.md. No dependencies, no build step: import it as an ES module.

const ROOM_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
// The server closes a signaling socket idle for 2 minutes (docs/protocol.md); ping well within that.
const PING_INTERVAL_MS = 25_000;
/** How long publishing waits for the first subscriber connection to connect before it goes ahead regardless. */
const FIRST_ANSWER_WAIT_MS = 3_000;
const LEAVE_GRACE_MS = 2_000;
// A shared screen is encoded for detail over motion (docs/browsers.md, "Screen share"): text must stay sharp,
// so the encoder may drop frames but not resolution; 15 frames a second is plenty for slides and code, and the
// bitrate it saves goes into each frame. The cap is above a camera's: a 1080p screen of text needs it.
const SCREEN_MAX_FRAMERATE = 15;
const SCREEN_MAX_BITRATE = 3_000_000;
// The camera's simulcast layers, lowest first (the server takes that order): a quarter, half and full size of the
// capture (docs/browsers.md). The bitrates are caps for a 1280x720 camera at 30 fps.
const SIMULCAST_ENCODINGS = [
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
];
// A tile's size goes to the server at most this often (a window being dragged resizes it continuously).
const VIDEO_SIZE_INTERVAL_MS = 500;

/**
 * A participant of a Parley room as the server describes it.
 * @typedef {{id: string, name: string, audioMuted: boolean, videoMuted: boolean}} Participant
 */

/**
 * One client of a Parley room: connect, publish a camera/microphone stream, receive everyone else's.
 *
 * Events (all `CustomEvent`s, data in `event.detail`):
 * - `joined` `{participantId, room, participants, host}`: we are in the room; `host` when we may admit, refuse
 *   and remove others.
 * - `participantjoined` / `participantupdated` `{participant}`; `participantleft` `{participantId, reason, participant}`.
 * - `track` `{participantId, track, stream, source}`: a remote track arrived; `source` is `microphone`, `camera` or
 *   `screen`. `stream` holds that participant's microphone and camera, or, for a screen, just the screen.
 * - `trackended` `{participantId, track, source}`: a remote screen share stopped (its section went inactive).
 * - `screenshare` `{active, track}`: our own screen share started (the server accepted it) or stopped (by
 *   {@link ParleyClient#stopScreenShare}, or by the browser's own "stop sharing").
 * - `chat` `{from, name, text, sentAt, self}`.
 * - `error` `{code, message, requestType}`: the server refused something, or the connection failed.
 * - `connectionstatechange` `{state, target}`: `state` is the overall state (see {@link ParleyClient#connectionState}),
 *   `target` what changed (`signaling`, `publisher` or `subscriber`).
 * - `left` `{reason}`: we are out of the room (after {@link ParleyClient#leave} or removed by the server, e.g.
 *   `meeting_ended`, `removed_by_host`, `account_disabled`, `account_deleted`).
 * - `lobby` `{waitingId, room}`: the meeting has a lobby and we wait for a host; {@link ParleyClient#connect}
 *   resolves once a host admits us, or rejects with code `lobby_refused`.
 * - `lobbyupdated` `{waiting}` (hosts only): who waits in the lobby now, `[{waitingId, identity, name, since}]`.
 * - `recording` `{active, recordingId}`: the meeting started or stopped being recorded (also fired after `joined`
 *   when it is being recorded as we join); {@link ParleyClient#recording} holds the current state.
 * - `caption` `{participantId, name, text, start, end, final, self}`: what someone said, while captions are on; a
 *   caption that is not `final` is a guess the speaker's next caption replaces.
 * - `captionstatus` `{status}`: captions are `active`, `paused` (the speech service does not answer) or `off`;
 *   {@link ParleyClient#captionStatus} holds the current one.
 * - `emotion` `{participantId, name, label, score, start, end}` (hosts only): the emotion heard in someone's speech.
 * - `activespeaker` `{participantId, self}`: who speaks now (also fired after `joined` when someone already does);
 *   {@link ParleyClient#activeSpeaker} holds it.
 * - `videopaused` `{participantIds}`: whose video the server holds back now because they are not among the room's
 *   last-N most recent speakers (empty: none); {@link ParleyClient#videoPaused} holds it.
 * - `reconnecting` `{}`: the signaling socket dropped or a peer connection went `disconnected`/`failed`; the client
 *   resumes its seat on a new socket and restarts ICE by itself (docs/protocol.md, "Reconnecting").
 *   `reconnected` `{}`: the seat is back and media flows again. If the server's grace period passes first, `left`
 *   follows with reason `disconnected`, as before.
 * - `participantreconnecting` `{participantId, reconnecting, participant}`: someone else is reconnecting (their
 *   tile stays), or is back.
 * - `publisherlayers` `{mid, rids}`: of our simulcast camera, the layers somebody needs; the others are paused.
 */
export class ParleyClient extends EventTarget {
  /** Remote participants by id (ourselves excluded). @type {Map<string, Participant>} */
  participants = new Map();
  /** Our participant id once joined. @type {string|null} */
  participantId = null;
  /** The room we are in once joined. @type {string|null} */
  room = null;
  /** Whether we host the room (may admit, refuse and remove others), once joined. */
  isHost = false;
  /** Whether we may start and stop the meeting's recording (a `canRecord` grant or host rights), once joined. */
  canRecord = false;
  /** Whether the meeting is being recorded now, and by which recording. @type {{active: boolean, recordingId: string|null}} */
  recording = { active: false, recordingId: null };
  /** Whether the room's captions are `active`, `paused` or `off`. @type {'active'|'paused'|'off'} */
  captionStatus = 'off';
  /** Our id in the lobby while a host has yet to admit us, else null. @type {string|null} */
  waitingId = null;
  /** Hosts: who waits in the lobby, oldest first. @type {{waitingId: string, identity: string, name: string, since: string}[]} */
  waiting = [];
  /** The participant who speaks now, as the server names them (possibly ourselves), or null. @type {string|null} */
  activeSpeaker = null;
  /** Participants whose video the server does not send us now (last-N). @type {string[]} */
  videoPaused = [];
  /**
   * Whether our camera goes out as three simulcast layers: the server's `simulcast` setting (from `joined`),
   * unless set to false before {@link ParleyClient#publish}.
   */
  simulcast = true;

  #ws = null;
  #simulcastOptOut = false;
  /** Per participant: the tile size last sent, the one to send, and the timer that sends it. */
  #videoSizes = new Map();
  #iceServers = [];
  #publisher = null;
  #subscriber = null;
  /**
   * The subscriber RTCPeerConnection made when `connect` is called, before the server's first offer: the browser
   * makes its DTLS certificate and gathers its candidates (`iceCandidatePoolSize`) meanwhile, so answering that
   * offer and the first ICE check do not wait for them. It becomes {@link #subscriber} with that offer.
   */
  #spareSubscriber = null;
  #localStream = null;
  #muted = { audio: false, video: false };
  #pendingJoin = null;
  /** The join being made: room, name, token, and whether a `wrong_node` was followed already. */
  #joinRequest = null;
  #pendingPublish = null;
  #publishChain = Promise.resolve();
  #subscriberChain = Promise.resolve();
  /**
   * Resolves once the subscriber connection that the first offer after `joined` sets up has connected (at once
   * when no offer is coming; or when answering it failed): the publisher negotiation waits for it, so that the
   * connection that shows the others gets the browser's and the server's CPU for its ICE checks and DTLS
   * handshake to itself.
   */
  #firstAnswer = Promise.resolve();
  #releaseFirstAnswer = () => {};
  #trickleReady = { publisher: false, subscriber: false };
  #trickleBacklog = { publisher: [], subscriber: [] };
  #remoteStreams = new Map();
  /** Remote screen shares by participant id: the screen's track and a stream of its own. */
  #remoteScreens = new Map();
  /** Our screen share while it lasts: its track and the transceiver that sends it. */
  #screen = null;
  /**
   * The server's last applied subscriber offer as it sent it: browsers drop attributes they do not use (such as
   * `a=content:slides`, which marks a screen) from `remoteDescription.sdp`.
   */
  #subscriberOfferSdp = null;
  #announcedTracks = new Map();
  #pingTimer = null;
  #state = 'new';
  #closed = false;
  #noCandidates = new WeakSet();
  #signalingUrl = null;
  /** The token that resumes our seat, and how long the server holds it after the socket drops. */
  #resume = { token: null, graceMs: 0 };
  /** While reconnecting: `{until, resumed, retry}`; null otherwise. */
  #reconnect = null;

  /**
   * The overall connection state: `new`, `connecting`, `connected`, `disconnected`, `failed` or `closed`.
   * `connected` means the signaling socket is open and every peer connection that exists is connected.
   * `failed` also covers a peer connection that gathered no ICE candidate at all (say a relay-only browser
   * whose TURN server refused the credential): it has nothing to connect with.
   */
  get connectionState() {
    return this.#state;
  }

  /** The publisher RTCPeerConnection (null before {@link ParleyClient#publish}); for diagnostics and tests. */
  get publisherConnection() {
    return this.#publisher;
  }

  /** The subscriber RTCPeerConnection (null before the server's first offer); for diagnostics and tests. */
  get subscriberConnection() {
    return this.#subscriber;
  }

  /** Whether we told the room our microphone (`audio`) or camera (`video`) is off. */
  isMuted(kind) {
    return this.#muted[kind] === true;
  }

  /**
   * Opens the signaling socket and joins a room.
   * @param {{url?: string, room: string, name: string, token?: string|Promise<string|undefined|null>}} options
   *   `url` defaults to `/ws/signaling` on the page's origin (`wss:` on https pages). `token` may be a promise
   *   (say of a token being fetched): the socket opens at once and the join goes out when the token is there,
   *   so the two round trips overlap. A promise that resolves to `null` or rejects calls the join off.
   * @returns {Promise<{participantId: string, room: string, participants: Participant[]}>} resolves on `joined`,
   *   rejects on an `error` answering the join, when the socket closes first, or (code `cancelled`) when the
   *   token promise gave no token.
   */
  connect({ url, room, name, token } = {}) {
    if (this.#ws) return Promise.reject(new Error('ParleyClient.connect: already connected; create a new client'));
    if (typeof room !== 'string' || !ROOM_PATTERN.test(room)) {
      return Promise.reject(new Error(`ParleyClient.connect: room must be 1-64 characters [A-Za-z0-9_.-], got ${JSON.stringify(room)}`));
    }
    const displayName = typeof name === 'string' ? name.trim() : '';
    if (displayName.length < 1 || displayName.length > 64) {
      return Promise.reject(new Error('ParleyClient.connect: name must be 1-64 characters'));
    }
    return new Promise((resolve, reject) => {
      this.#pendingJoin = { resolve, reject };
      this.#joinRequest = { room, name: displayName, token, followed: false };
      this.#spareSubscriber = this.#createPeerConnection('subscriber', { iceCandidatePoolSize: 1 });
      this.#openSocket(url || defaultSignalingUrl());
    });
  }

  // Opens the signaling socket and sends the join once it is open. Events of a socket that has been replaced
  // (after `wrong_node`) are ignored, so its closing does not end the client.
  #openSocket(url) {
    const ws = new WebSocket(url);
    this.#ws = ws;
    this.#signalingUrl = url;
    this.#setState('connecting', 'signaling');
    ws.addEventListener('open', () => {
      if (ws !== this.#ws) return;
      clearInterval(this.#pingTimer);
      this.#pingTimer = setInterval(() => this.#send({ type: 'ping' }), PING_INTERVAL_MS);
      const { room, name, token } = this.#joinRequest;
      Promise.resolve(token).then((value) => {
        if (ws !== this.#ws || this.#closed) return;
        if (value === null) {
          this.#callJoinOff(new ParleyError('cancelled', 'no join token', 'join'));
          return;
        }
        const join = { type: 'join', room, name };
        if (value) join.token = value;
        this.#send(join);
      }, (error) => {
        if (ws === this.#ws) this.#callJoinOff(error);
      });
    });
    ws.addEventListener('message', (event) => { if (ws === this.#ws) this.#onMessage(event.data); });
    ws.addEventListener('close', (event) => { if (ws === this.#ws) this.#onSocketClosed(event); });
  }

  /**
   * Sends a stream's audio and video to the room (call after {@link ParleyClient#connect} resolved).
   * Calling it again adds the new stream's tracks and renegotiates.
   * @param {MediaStream} stream
   * @returns {Promise<void>} resolves once the server's answer is applied.
   */
  publish(stream) {
    if (!this.participantId) return Promise.reject(new Error('ParleyClient.publish: not joined'));
    if (!(stream instanceof MediaStream)) return Promise.reject(new Error('ParleyClient.publish: a MediaStream is required'));
    const run = () => this.#firstAnswer.then(() => this.#negotiatePublisher(stream));
    const result = this.#publishChain.then(run, run);
    this.#publishChain = result.catch(() => {});
    return result;
  }

  /**
   * Turns our microphone (`audio`) or camera (`video`) off or on: the local tracks stop sending content
   * and the room is told, so others can show a muted indicator or a camera-off placeholder.
   */
  setMuted(kind, muted) {
    if (kind !== 'audio' && kind !== 'video') throw new Error(`ParleyClient.setMuted: kind must be 'audio' or 'video', got ${JSON.stringify(kind)}`);
    const value = Boolean(muted);
    this.#muted[kind] = value;
    for (const track of this.#localStream?.getTracks() ?? []) {
      if (track.kind === kind) track.enabled = !value;
    }
    if (this.participantId) this.#send({ type: 'mute', kind, muted: value });
  }

  /** Our shared screen's track while we share one, else null. */
  get screenTrack() {
    return this.#screen?.track ?? null;
  }

  /**
   * Shares a screen: sends `track` (a video track from `getDisplayMedia`) as one more track of the publisher
   * connection, encoded for detail (see docs/browsers.md). The others get it as a `track` event with
   * `source: 'screen'`. One screen at a time; the browser's own "stop sharing" stops it too.
   * @param {MediaStreamTrack} track
   * @returns {Promise<void>} resolves once the server accepted it; rejects with a {@link ParleyError} when the
   *   server refused it (e.g. `too_many_screens`), and then nothing is sent.
   */
  shareScreen(track) {
    if (!this.participantId) return Promise.reject(new Error('ParleyClient.shareScreen: not joined'));
    if (!(track instanceof MediaStreamTrack) || track.kind !== 'video') {
      return Promise.reject(new Error('ParleyClient.shareScreen: a video MediaStreamTrack is required'));
    }
    if (this.#screen) return Promise.reject(new Error('ParleyClient.shareScreen: already sharing a screen; stop it first'));
    const run = () => this.#negotiateScreen(track);
    const result = this.#publishChain.then(run, run);
    this.#publishChain = result.catch(() => {});
    return result;
  }

  /**
   * Stops sharing our screen: its track stops and the publisher connection is renegotiated without it, so the
   * others' screen tiles go (`trackended`). Harmless when not sharing.
   * @returns {Promise<void>} resolves once the server's answer is applied.
   */
  stopScreenShare() {
    const run = () => this.#unshareScreen();
    const result = this.#publishChain.then(run, run);
    this.#publishChain = result.catch(() => {});
    return result;
  }

  /** Sends a chat message (1-2000 characters) to everyone in the room; it comes back as a `chat` event. */
  sendChat(text) {
    if (typeof text !== 'string' || text.trim().length < 1 || text.length > 2000) {
      throw new Error('ParleyClient.sendChat: text must be 1-2000 characters');
    }
    if (!this.participantId) throw new Error('ParleyClient.sendChat: not joined');
    this.#send({ type: 'chat', text });
  }

  /** Hosts: lets someone waiting in the lobby in (by the `waitingId` from {@link ParleyClient#waiting}). */
  admit(waitingId) {
    if (!this.participantId) throw new Error('ParleyClient.admit: not joined');
    this.#send({ type: 'admit', waitingId });
  }

  /** Hosts: turns someone waiting in the lobby away. */
  refuse(waitingId) {
    if (!this.participantId) throw new Error('ParleyClient.refuse: not joined');
    this.#send({ type: 'refuse', waitingId });
  }

  /**
   * Hosts: takes a participant out of the room; its identity may not rejoin until the meeting ends. The
   * others see it leave with reason `removed`; a refusal arrives as an `error` event (`forbidden`, `not_in_room`).
   */
  remove(participantId) {
    if (!this.participantId) throw new Error('ParleyClient.remove: not joined');
    if (typeof participantId !== 'string' || !participantId) throw new TypeError('ParleyClient.remove: participantId must be a non-empty string');
    this.#send({ type: 'remove', participantId });
  }

  /**
   * Starts recording the meeting (needs {@link ParleyClient#canRecord}). Success arrives as the `recording` event
   * to everyone; a refusal as an `error` event (`forbidden`, `recording_not_allowed`, `recording_in_progress`, ...).
   */
  startRecording() {
    if (!this.participantId) throw new Error('ParleyClient.startRecording: not joined');
    this.#send({ type: 'startRecording' });
  }

  /**
   * Hosts: turns live captions on or off for the room. Success arrives as the `captionstatus` event to everyone;
   * a refusal as an `error` event (`forbidden`, `captions_unavailable`, `meeting_ended`).
   */
  setCaptions(on) {
    if (!this.participantId) throw new Error('ParleyClient.setCaptions: not joined');
    this.#send({ type: 'setCaptions', on: on === true });
  }

  /** Stops the meeting's recording; as {@link ParleyClient#startRecording}, refusals such as `recording_not_active`. */
  stopRecording() {
    if (!this.participantId) throw new Error('ParleyClient.stopRecording: not joined');
    this.#send({ type: 'stopRecording' });
  }

  /**
   * Leaves the room (or its lobby): says goodbye, closes both peer connections and the socket.
   * @returns {Promise<void>} resolves when the server confirmed (`left`) or after a short grace period.
   */
  async leave() {
    if (this.#closed) return;
    const ws = this.#ws;
    if (ws && ws.readyState === WebSocket.OPEN && (this.participantId || this.waitingId)) {
      const closed = new Promise((resolve) => ws.addEventListener('close', resolve, { once: true }));
      this.#send({ type: 'leave' });
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, LEAVE_GRACE_MS))]);
    }
    this.#shutdown('left');
  }

  /**
   * Receive statistics per remote participant, from the subscriber connection's `inbound-rtp` reports.
   * @returns {Promise<Object<string, {name: string, videoFramesDecoded: number, videoBytesReceived: number,
   *   audioBytesReceived: number, audioSamplesReceived: number, videoPacketsLost: number, audioPacketsLost: number,
   *   frameWidth: number, frameHeight: number, screenFramesDecoded: number, screenBytesReceived: number,
   *   screenFrameWidth: number, screenFrameHeight: number}>>} keyed by participant id (current participants
   *   only); `video*` and `frame*` are the camera, `screen*` a shared screen
   */
  async receiverStats() {
    const result = {};
    for (const [id, participant] of this.participants) {
      result[id] = {
        name: participant.name,
        videoFramesDecoded: 0, videoBytesReceived: 0, videoPacketsLost: 0, frameWidth: 0, frameHeight: 0,
        audioBytesReceived: 0, audioSamplesReceived: 0, audioPacketsLost: 0,
        screenFramesDecoded: 0, screenBytesReceived: 0, screenFrameWidth: 0, screenFrameHeight: 0,
      };
    }
    const pc = this.#subscriber;
    if (!pc || !pc.remoteDescription) return result;
    const midOwners = mediaSections(this.#subscriberOfferSdp ?? pc.remoteDescription.sdp);
    const trackMids = new Map();
    for (const transceiver of pc.getTransceivers()) {
      if (transceiver.mid !== null) trackMids.set(transceiver.receiver.track.id, transceiver.mid);
    }
    const report = await pc.getStats();
    report.forEach((stat) => {
      if (stat.type !== 'inbound-rtp') return;
      const mid = stat.mid ?? trackMids.get(stat.trackIdentifier);
      const owner = midOwners.get(mid)?.participantId;
      const entry = owner && result[owner];
      if (!entry) return;
      if (stat.kind === 'video' && midOwners.get(mid).source === 'screen') {
        entry.screenFramesDecoded += stat.framesDecoded ?? 0;
        entry.screenBytesReceived += stat.bytesReceived ?? 0;
        entry.screenFrameWidth = Math.max(entry.screenFrameWidth, stat.frameWidth ?? 0);
        entry.screenFrameHeight = Math.max(entry.screenFrameHeight, stat.frameHeight ?? 0);
      } else if (stat.kind === 'video') {
        entry.videoFramesDecoded += stat.framesDecoded ?? 0;
        entry.videoBytesReceived += stat.bytesReceived ?? 0;
        entry.videoPacketsLost += stat.packetsLost ?? 0;
        entry.frameWidth = Math.max(entry.frameWidth, stat.frameWidth ?? 0);
        entry.frameHeight = Math.max(entry.frameHeight, stat.frameHeight ?? 0);
      } else if (stat.kind === 'audio') {
        entry.audioBytesReceived += stat.bytesReceived ?? 0;
        entry.audioSamplesReceived += stat.totalSamplesReceived ?? 0;
        entry.audioPacketsLost += stat.packetsLost ?? 0;
      }
    });
    return result;
  }

  /**
   * Send statistics of the publisher connection, from its `outbound-rtp` reports.
   * @returns {Promise<{videoFramesEncoded: number, videoBytesSent: number, videoPacketsSent: number,
   *   audioBytesSent: number, audioPacketsSent: number}>}
   */
  async publisherStats() {
    const result = { videoFramesEncoded: 0, videoBytesSent: 0, videoPacketsSent: 0, audioBytesSent: 0, audioPacketsSent: 0 };
    if (!this.#publisher) return result;
    const report = await this.#publisher.getStats();
    report.forEach((stat) => {
      if (stat.type !== 'outbound-rtp') return;
      if (stat.kind === 'video') {
        result.videoFramesEncoded += stat.framesEncoded ?? 0;
        result.videoBytesSent += stat.bytesSent ?? 0;
        result.videoPacketsSent += stat.packetsSent ?? 0;
      } else if (stat.kind === 'audio') {
        result.audioBytesSent += stat.bytesSent ?? 0;
        result.audioPacketsSent += stat.packetsSent ?? 0;
      }
    });
    return result;
  }

  // --- signaling -------------------------------------------------------------------------------------------

  #send(message) {
    if (this.#ws && this.#ws.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(message));
  }

  #onMessage(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      console.warn('Parley: ignoring a signaling frame that is not JSON');
      return;
    }
    switch (message?.type) {
      case 'joined': return this.#onJoined(message);
      case 'publishAnswer': return this.#onPublishAnswer(message);
      case 'subscriberOffer': return this.#onSubscriberOffer(message);
      case 'participantJoined': return this.#onParticipant(message.participant, 'participantjoined');
      case 'participantUpdated': return this.#onParticipant(message.participant, 'participantupdated');
      case 'participantLeft': return this.#onParticipantLeft(message);
      case 'chat': return this.#emit('chat', {
        from: message.from, name: message.name, text: message.text, sentAt: message.sentAt,
        self: message.from === this.participantId,
      });
      case 'pong': return undefined;
      case 'left': return this.#shutdown(message.reason || 'left');
      case 'lobby':
        this.waitingId = message.waitingId;
        return this.#emit('lobby', { waitingId: message.waitingId, room: message.room });
      case 'lobbyUpdated':
        this.waiting = Array.isArray(message.waiting) ? message.waiting : [];
        return this.#emit('lobbyupdated', { waiting: this.waiting });
      case 'removed': return this.#onRemoved(message);
      case 'recording': return this.#onRecording(message);
      case 'caption': return this.#emit('caption', {
        participantId: message.participantId, name: String(message.name ?? ''), text: String(message.text ?? ''),
        start: message.start, end: message.end, final: message.final === true,
        self: message.participantId === this.participantId,
      });
      case 'captionStatus':
        this.captionStatus = ['active', 'paused'].includes(message.status) ? message.status : 'off';
        return this.#emit('captionstatus', { status: this.captionStatus });
      case 'emotion': return this.#emit('emotion', {
        participantId: message.participantId, name: String(message.name ?? ''), label: String(message.label ?? ''),
        score: Number(message.score) || 0, start: message.start, end: message.end,
      });
      case 'activeSpeaker':
        this.activeSpeaker = typeof message.participantId === 'string' ? message.participantId : null;
        return this.#emit('activespeaker', { participantId: this.activeSpeaker, self: this.activeSpeaker === this.participantId });
      case 'videoPaused':
        this.videoPaused = Array.isArray(message.participantIds) ? message.participantIds.filter((id) => typeof id === 'string') : [];
        return this.#emit('videopaused', { participantIds: [...this.videoPaused] });
      case 'publisherLayers': return this.#onPublisherLayers(message);
      case 'error': return this.#onServerError(message);
      case 'resumeToken':
        this.#resume = { token: String(message.token ?? ''), graceMs: Math.max(0, Number(message.graceSeconds) || 0) * 1000 };
        return undefined;
      case 'resumed': return this.#onResumed(message);
      case 'participantReconnecting': return this.#onParticipantReconnecting(message);
      default:
        console.warn('Parley: ignoring an unknown signaling message', message?.type);
        return undefined;
    }
  }

  // The join cannot go out (its token promise gave none): the socket closes and the connect promise rejects,
  // quietly, since whoever gave the promise knows why.
  #callJoinOff(error) {
    this.#pendingJoin?.reject(error);
    this.#pendingJoin = null;
    this.#shutdown('cancelled');
  }

  #onRemoved({ reason }) {
    if (this.#pendingJoin) {
      this.#pendingJoin.reject(new ParleyError(reason || 'removed', 'removed before joining', 'join'));
      this.#pendingJoin = null;
    }
    this.#shutdown(reason || 'removed');
  }

  #onJoined(message) {
    this.waitingId = null;
    this.participantId = message.participantId;
    this.room = message.room;
    this.isHost = message.host === true;
    this.canRecord = message.canRecord === true;
    if (this.simulcast === false) this.#simulcastOptOut = true;
    this.simulcast = message.simulcast === true && !this.#simulcastOptOut;
    this.#iceServers = Array.isArray(message.iceServers) ? message.iceServers : [];
    this.#configureSpareSubscriber();
    if (message.subscriberOffer === true) {
      // Bounded: should the offer not come (the room's publishers left meanwhile), publishing goes on anyway.
      this.#firstAnswer = new Promise((resolve) => {
        this.#releaseFirstAnswer = resolve;
        setTimeout(resolve, FIRST_ANSWER_WAIT_MS);
      });
    }
    for (const participant of message.participants ?? []) this.participants.set(participant.id, participant);
    const detail = { participantId: this.participantId, room: this.room, participants: [...this.participants.values()], host: this.isHost };
    this.#updateState('signaling');
    this.#emit('joined', detail);
    this.#pendingJoin?.resolve(detail);
    this.#pendingJoin = null;
    if (message.recording?.active) this.#onRecording(message.recording);
  }

  #onRecording({ active, recordingId }) {
    this.recording = { active: active === true, recordingId: typeof recordingId === 'string' ? recordingId : null };
    this.#emit('recording', { ...this.recording });
  }

  #onParticipant(participant, eventName) {
    if (!participant?.id || participant.id === this.participantId) return;
    this.participants.set(participant.id, participant);
    this.#emit(eventName, { participant });
  }

  #onParticipantLeft({ participantId, reason }) {
    const participant = this.participants.get(participantId);
    this.participants.delete(participantId);
    this.#remoteStreams.delete(participantId);
    this.#remoteScreens.delete(participantId);
    for (const [trackId, owner] of this.#announcedTracks) {
      if (owner === participantId) this.#announcedTracks.delete(trackId);
    }
    this.#emit('participantleft', { participantId, reason, participant });
  }

  #onServerError({ code, message, requestType, url }) {
    if (code === 'wrong_node' && this.#pendingJoin && this.#joinRequest && !this.#joinRequest.followed
        && typeof url === 'string' && /^wss?:\/\/[^\s]+$/.test(url)) {
      // Another node serves this room: join there instead, once (a second redirect is an error).
      this.#joinRequest.followed = true;
      const old = this.#ws;
      this.#openSocket(url);
      old.close(1000, 'joining the room on its node');
      return;
    }
    if (requestType === 'resume' || (this.#reconnect && code === 'stale_answer')) {
      this.#onResumeRefused(code, message);
      return;
    }
    console.warn(`Parley: server refused ${requestType ?? 'a message'}: ${code}: ${message}`);
    this.#emit('error', { code, message, requestType });
    const failure = new ParleyError(code, message, requestType);
    if (this.#pendingJoin && (requestType === 'join' || code === 'auth' || code === 'room_full' || code === 'too_many_connections')) {
      this.#pendingJoin.reject(failure);
      this.#pendingJoin = null;
    }
    if (this.#pendingPublish && (requestType === 'publish' || (!requestType && code === 'bad_sdp'))) {
      this.#pendingPublish.reject(failure);
      this.#pendingPublish = null;
    }
  }

  #onSocketClosed(event) {
    clearInterval(this.#pingTimer);
    if (this.#pendingJoin) {
      this.#pendingJoin.reject(new ParleyError('closed', `signaling socket closed before joining (code ${event.code})`, 'join'));
      this.#pendingJoin = null;
    }
    if (this.#closed) return;
    if (this.#reconnect || (this.participantId && this.#resume.token && this.#resume.graceMs > 0)) {
      this.#startReconnect();
      return;
    }
    this.#emit('error', { code: 'disconnected', message: `signaling socket closed (code ${event.code})`, requestType: null });
    this.#shutdown('disconnected');
  }

  /**
   * Tells the server how big (CSS pixels; scaled here by the device pixel ratio) the tile showing
   * `participantId`'s camera is, so it forwards the simulcast layer that fits; 0x0 when the tile is not shown
   * (nothing is forwarded then). Calls are throttled and repeated sizes dropped, so a ResizeObserver may call it
   * freely.
   */
  setVideoSize(participantId, width, height) {
    if (!this.participantId || typeof participantId !== 'string') return;
    const ratio = globalThis.devicePixelRatio || 1;
    const w = Math.min(16384, Math.max(0, Math.round(width * ratio)));
    const h = Math.min(16384, Math.max(0, Math.round(height * ratio)));
    const size = w === 0 || h === 0 ? { width: 0, height: 0 } : { width: w, height: h };
    let entry = this.#videoSizes.get(participantId);
    if (!entry) {
      entry = { sent: null, next: null, timer: null, last: 0 };
      this.#videoSizes.set(participantId, entry);
    }
    entry.next = size;
    if (entry.timer) return;
    const flush = () => {
      entry.timer = null;
      const next = entry.next;
      if (!this.participants.has(participantId)) return;
      if (entry.sent && entry.sent.width === next.width && entry.sent.height === next.height) return;
      entry.sent = next;
      entry.last = Date.now();
      this.#send({ type: 'setVideoSize', participantId, width: next.width, height: next.height });
    };
    const wait = VIDEO_SIZE_INTERVAL_MS - (Date.now() - entry.last);
    if (wait <= 0) flush();
    else entry.timer = setTimeout(flush, wait);
  }

  // Pauses the layers of our simulcast camera that nobody needs (and resumes those needed again): the encoder
  // then spends neither CPU nor uplink on them.
  async #onPublisherLayers({ mid, rids }) {
    if (!Array.isArray(rids)) return;
    const transceiver = this.#publisher?.getTransceivers().find((t) => t.mid === mid);
    const sender = transceiver?.sender;
    if (!sender) return;
    const parameters = sender.getParameters();
    if (!parameters.encodings || parameters.encodings.length < 2) return;
    let changed = false;
    for (const encoding of parameters.encodings) {
      const active = rids.includes(encoding.rid);
      if (encoding.active !== active) {
        encoding.active = active;
        changed = true;
      }
    }
    try {
      if (changed) await sender.setParameters(parameters);
    } catch (error) {
      console.warn('Parley: could not pause or resume simulcast layers', error);
    }
    this.#emit('publisherlayers', { mid, rids: [...rids] });
  }

  // --- publisher -------------------------------------------------------------------------------------------

  async #negotiatePublisher(stream) {
    if (!this.#publisher) this.#publisher = this.#createPeerConnection('publisher');
    const pc = this.#publisher;
    this.#localStream = stream;
    const tracks = [...stream.getAudioTracks(), ...stream.getVideoTracks()];
    const sending = new Set(pc.getSenders().map((sender) => sender.track).filter(Boolean));
    for (const track of tracks) {
      if (sending.has(track)) continue;
      track.enabled = !this.#muted[track.kind];
      const init = { direction: 'sendonly', streams: [stream] };
      if (track.kind === 'video' && this.simulcast) init.sendEncodings = SIMULCAST_ENCODINGS.map((e) => ({ ...e }));
      pc.addTransceiver(track, init);
    }
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const answer = new Promise((resolve, reject) => { this.#pendingPublish = { resolve, reject }; });
    this.#send(this.#publishMessage(pc));
    this.#openTrickle('publisher');
    const sdp = await answer;
    await pc.setRemoteDescription({ type: 'answer', sdp });
  }

  #onPublishAnswer({ sdp }) {
    if (!this.#pendingPublish) {
      console.warn('Parley: ignoring a publishAnswer nobody asked for');
      return;
    }
    this.#pendingPublish.resolve(sdp);
    this.#pendingPublish = null;
  }

  // The publish message for the publisher connection's current offer: a shared screen's section is declared
  // by its mid, everything else is a microphone or camera by default (docs/protocol.md, "Screen share").
  #publishMessage(pc) {
    const message = { type: 'publish', sdp: pc.localDescription.sdp };
    const mid = this.#screen?.transceiver.mid;
    if (mid) message.sources = { [mid]: 'screen' };
    return message;
  }

  async #offerPublisher(pc) {
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const answer = new Promise((resolve, reject) => { this.#pendingPublish = { resolve, reject }; });
    this.#send(this.#publishMessage(pc));
    this.#openTrickle('publisher');
    const sdp = await answer;
    await pc.setRemoteDescription({ type: 'answer', sdp });
  }

  async #negotiateScreen(track) {
    if (this.#screen) throw new Error('ParleyClient.shareScreen: already sharing a screen; stop it first');
    if (!this.#publisher) this.#publisher = this.#createPeerConnection('publisher');
    const pc = this.#publisher;
    // Tell the encoder this is text and lines, not faces: it keeps edges sharp and resolution up.
    if ('contentHint' in track) track.contentHint = 'detail';
    const transceiver = pc.addTransceiver(track, {
      direction: 'sendonly',
      streams: [new MediaStream([track])],
      sendEncodings: [{ maxFramerate: SCREEN_MAX_FRAMERATE, maxBitrate: SCREEN_MAX_BITRATE }],
    });
    this.#screen = { track, transceiver };
    try {
      await this.#offerPublisher(pc);
    } catch (error) {
      // Refused: take our offer back and drop the section, so the next offer is what the server holds.
      this.#screen = null;
      if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' }).catch(() => {});
      transceiver.stop();
      throw error;
    }
    await screenSenderPolicy(transceiver.sender);
    track.addEventListener('ended', () => {
      // The browser's own "stop sharing" ends the track without a word to us.
      if (this.#screen?.track === track) this.stopScreenShare().catch(() => {});
    });
    this.#emit('screenshare', { active: true, track });
  }

  async #unshareScreen() {
    const screen = this.#screen;
    if (!screen || this.#closed) return;
    this.#screen = null;
    screen.track.stop();
    // A stopped transceiver's section gets port 0: the server ends that track, and the browser may reuse the
    // section for the next share instead of growing the SDP.
    screen.transceiver.stop();
    this.#emit('screenshare', { active: false, track: screen.track });
    await this.#offerPublisher(this.#publisher);
  }

  // --- subscriber ------------------------------------------------------------------------------------------

  #onSubscriberOffer({ sdp, version }) {
    // Offers are answered strictly in arrival order; one that arrives while another is being answered waits.
    const run = () => this.#answerSubscriberOffer(sdp, version);
    this.#subscriberChain = this.#subscriberChain.then(run, run).catch((error) => {
      console.warn('Parley: could not answer subscriber offer', version, error);
      this.#releaseFirstAnswer();
      this.#emit('error', { code: 'subscriber_negotiation', message: String(error?.message ?? error), requestType: 'subscriberOffer' });
    }).finally(() => this.#releaseOnceSubscriberConnected());
  }

  // The spare subscriber connection was made before `joined` told the ICE servers: it takes them now (the browser
  // gathers its pooled candidates again only when they differ). Should it refuse, the offer makes a new one.
  #configureSpareSubscriber() {
    const spare = this.#spareSubscriber;
    if (!spare || this.#iceServers.length === 0) return;
    try {
      spare.setConfiguration({ ...spare.getConfiguration(), iceServers: this.#iceServers });
    } catch (error) {
      console.warn('Parley: a new subscriber connection is made for the ICE servers', error);
      spare.close();
      this.#spareSubscriber = null;
    }
  }

  // Publishing goes on once the subscriber connection has connected (or cannot: failed, closed).
  #releaseOnceSubscriberConnected() {
    const pc = this.#subscriber;
    const settled = () => !pc || ['connected', 'disconnected', 'failed', 'closed'].includes(pc.connectionState);
    if (settled()) {
      this.#releaseFirstAnswer();
      return;
    }
    const onChange = () => {
      if (!settled()) return;
      pc.removeEventListener('connectionstatechange', onChange);
      this.#releaseFirstAnswer();
    };
    pc.addEventListener('connectionstatechange', onChange);
  }

  async #answerSubscriberOffer(sdp, version) {
    if (this.#closed) return;
    if (!this.#subscriber) {
      this.#subscriber = this.#spareSubscriber ?? this.#createPeerConnection('subscriber');
      this.#spareSubscriber = null;
    }
    const pc = this.#subscriber;
    await pc.setRemoteDescription({ type: 'offer', sdp });
    this.#subscriberOfferSdp = sdp;
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    this.#send({ type: 'subscriberAnswer', sdp: pc.localDescription.sdp, version });
    this.#openTrickle('subscriber');
    this.#announceRemoteTracks(pc);
  }

  // The offer's msid lines say whose each m-section is; they are the source of truth rather than
  // `track` events, which the browser does not fire again when a reused m-section changes owner.
  #announceRemoteTracks(pc) {
    const owners = mediaSections(this.#subscriberOfferSdp ?? pc.remoteDescription.sdp);
    this.#endRemoteScreens(pc, owners);
    for (const transceiver of pc.getTransceivers()) {
      const section = transceiver.mid === null ? undefined : owners.get(transceiver.mid);
      const track = transceiver.receiver.track;
      if (!section || !section.participantId || section.rejected) continue;
      // An offer answered while its participant left (participantJoined always precedes their tracks):
      // announcing it now would leave a tile behind that no participantLeft will ever remove.
      if (!this.participants.has(section.participantId)) continue;
      if (section.source === 'screen') {
        this.#announceRemoteScreen(section.participantId, track);
        continue;
      }
      if (this.#announcedTracks.get(track.id) === section.participantId) continue;
      this.#announcedTracks.set(track.id, section.participantId);
      let stream = this.#remoteStreams.get(section.participantId);
      if (!stream) {
        stream = new MediaStream();
        this.#remoteStreams.set(section.participantId, stream);
      }
      for (const old of stream.getTracks()) {
        if (old.kind === track.kind && old !== track) stream.removeTrack(old);
      }
      if (!stream.getTracks().includes(track)) stream.addTrack(track);
      this.#emit('track', { participantId: section.participantId, track, stream, source: section.source });
    }
  }

  // A screen gets a stream of its own (the participant's camera stream keeps the camera), and its own event.
  #announceRemoteScreen(participantId, track) {
    if (this.#remoteScreens.get(participantId)?.track === track) return;
    this.#announcedTracks.delete(track.id);
    const stream = new MediaStream([track]);
    this.#remoteScreens.set(participantId, { track, stream });
    this.#emit('track', { participantId, track, stream, source: 'screen' });
  }

  // A screen whose section no longer carries that participant's screen (inactive, or taken over) has ended.
  #endRemoteScreens(pc, owners) {
    for (const [participantId, screen] of this.#remoteScreens) {
      const transceiver = pc.getTransceivers().find((t) => t.receiver.track === screen.track);
      const section = transceiver?.mid == null ? undefined : owners.get(transceiver.mid);
      if (section && !section.rejected && section.source === 'screen' && section.participantId === participantId) continue;
      this.#remoteScreens.delete(participantId);
      this.#emit('trackended', { participantId, track: screen.track, source: 'screen' });
    }
  }

  // --- shared ----------------------------------------------------------------------------------------------

  #createPeerConnection(target, options = {}) {
    const pc = new RTCPeerConnection({
      iceServers: this.#iceServers,
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
      ...options,
    });
    let gathered = 0;
    pc.addEventListener('icecandidate', (event) => {
      if (event.candidate) {
        gathered++;
        this.#noCandidates.delete(pc);
      }
      this.#trickle(target, event.candidate);
    });
    // A connection that gathered no candidate at all (relay-only and the TURN server refused the credential,
    // or no network) has nothing to check: browsers leave it "new" for ever, so it is called failed here.
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete' && gathered === 0) {
        this.#noCandidates.add(pc);
        this.#updateState(target);
      }
    });
    pc.addEventListener('connectionstatechange', () => {
      this.#updateState(target);
      if (['disconnected', 'failed'].includes(pc.connectionState) && this.participantId && !this.#closed) this.#startReconnect();
    });
    return pc;
  }

  // Candidates gathered before our description reached the server wait, so the server always sees the
  // description first.
  #trickle(target, candidate) {
    const payload = candidate && candidate.candidate
      ? { candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex }
      : null;
    if (this.#trickleReady[target]) this.#send({ type: 'trickle', target, candidate: payload });
    else this.#trickleBacklog[target].push(payload);
  }

  #openTrickle(target) {
    if (this.#trickleReady[target]) return;
    this.#trickleReady[target] = true;
    for (const candidate of this.#trickleBacklog[target].splice(0)) this.#send({ type: 'trickle', target, candidate });
  }

  #updateState(target) {
    const pcs = [this.#publisher, this.#subscriber].filter(Boolean)
      .map((pc) => (this.#noCandidates.has(pc) ? 'failed' : pc.connectionState));
    let state;
    if (this.#closed) state = 'closed';
    else if (pcs.includes('failed')) state = 'failed';
    else if (pcs.includes('disconnected')) state = 'disconnected';
    else if (this.participantId && pcs.every((s) => s === 'connected')) state = 'connected';
    else state = 'connecting';
    this.#setState(state, target);
    if (state === 'connected' && this.#reconnect?.resumed) this.#endReconnect();
  }

  #setState(state, target) {
    if (state === this.#state) return;
    this.#state = state;
    this.#emit('connectionstatechange', { state, target });
  }

  #shutdown(reason) {
    if (this.#closed) return;
    this.#closed = true;
    this.#releaseFirstAnswer();
    clearInterval(this.#pingTimer);
    this.#publisher?.close();
    this.#subscriber?.close();
    this.#spareSubscriber?.close();
    if (this.#ws && this.#ws.readyState <= WebSocket.OPEN) this.#ws.close(1000, 'leaving');
    this.#pendingPublish?.reject(new ParleyError('closed', 'left the room', 'publish'));
    this.#pendingPublish = null;
    // Leaving from the lobby ends the wait for `joined`.
    this.#pendingJoin?.reject(new ParleyError(reason, 'left before joining', 'join'));
    this.#pendingJoin = null;
    this.#setState('closed', 'signaling');
    this.#emit('left', { reason });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  // --- reconnecting (docs/protocol.md, "Reconnecting") -------------------------------------------------------

  /** Whether the client is taking its seat back after a drop (between `reconnecting` and `reconnected`). */
  get reconnecting() {
    return this.#reconnect !== null;
  }

  // The socket dropped or ICE went down: resume the seat on a new socket (the old one, if the network only
  // hid it, is given up: the server closes it when the resume succeeds), then restart ICE.
  #startReconnect() {
    if (this.#reconnect || this.#closed || !this.#resume.token) return;
    this.#reconnect = { until: Date.now() + Math.max(this.#resume.graceMs, 1000), resumed: false, retry: null };
    this.#emit('reconnecting', {});
    this.#resumeOnNewSocket();
  }

  #resumeOnNewSocket() {
    const attempt = this.#reconnect;
    if (!attempt || this.#closed) return;
    clearTimeout(attempt.retry);
    clearInterval(this.#pingTimer);
    if (Date.now() > attempt.until) {
      this.#reconnect = null;
      this.#emit('error', { code: 'disconnected', message: 'could not reconnect within the grace period', requestType: null });
      this.#shutdown('disconnected');
      return;
    }
    attempt.resumed = false;
    const old = this.#ws;
    const ws = new WebSocket(this.#signalingUrl);
    this.#ws = ws;
    // 4000: not a goodbye (1000 would make the server remove us at once, should this close frame get through).
    if (old && old.readyState <= WebSocket.OPEN) old.close(4000, 'reconnecting');
    ws.addEventListener('open', () => {
      if (ws !== this.#ws) return;
      this.#send({ type: 'resume', token: this.#resume.token });
      this.#pingTimer = setInterval(() => this.#send({ type: 'ping' }), PING_INTERVAL_MS);
    });
    ws.addEventListener('message', (event) => { if (ws === this.#ws) this.#onMessage(event.data); });
    ws.addEventListener('close', () => {
      if (ws !== this.#ws || this.#closed) return;
      if (!this.#reconnect) this.#startReconnect();
      else attempt.retry = setTimeout(() => this.#resumeOnNewSocket(), 1000);
    });
    // A socket that cannot open (the network is still away) is given up and tried again.
    attempt.retry = setTimeout(() => {
      if (ws === this.#ws && ws.readyState === WebSocket.CONNECTING) ws.close();
    }, 4000);
  }

  #onResumed(message) {
    const attempt = this.#reconnect;
    if (attempt) {
      clearTimeout(attempt.retry);
      attempt.resumed = true;
    }
    // Nothing sent while we were away is replayed: the room as it is now replaces our picture of it.
    const now = new Map((message.participants ?? []).map((p) => [p.id, p]));
    for (const id of [...this.participants.keys()]) {
      if (!now.has(id)) this.#onParticipantLeft({ participantId: id, reason: 'left' });
    }
    for (const participant of now.values()) {
      this.#onParticipant(participant, this.participants.has(participant.id) ? 'participantupdated' : 'participantjoined');
    }
    this.#iceServers = Array.isArray(message.iceServers) ? message.iceServers : this.#iceServers;
    if (message.recording) this.#onRecording(message.recording);
    // The server restarts ICE on the subscriber connection with its next offer; ours is restarted here.
    this.#restartPublisherIce().catch((error) => {
      console.warn('Parley: could not restart ICE on the publisher connection', error);
    });
    this.#updateState('signaling');
  }

  async #restartPublisherIce() {
    const pc = this.#publisher;
    if (!pc || this.#closed) return;
    pc.restartIce();
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    // A publish still waiting for its answer (lost with the old socket) takes this answer: it fits our new offer.
    const waiting = this.#pendingPublish;
    const answer = waiting ? null : new Promise((resolve, reject) => { this.#pendingPublish = { resolve, reject }; });
    this.#send({ type: 'publish', sdp: pc.localDescription.sdp });
    if (answer) await pc.setRemoteDescription({ type: 'answer', sdp: await answer });
  }

  #onResumeRefused(code, message) {
    if (code === 'stale_answer') return; // an answer to an offer the resume replaced
    console.warn(`Parley: could not resume the seat: ${code}: ${message}`);
    this.#reconnect = null;
    this.#emit('error', { code: 'disconnected', message: `could not reconnect: ${message}`, requestType: null });
    this.#shutdown('disconnected');
  }

  #endReconnect() {
    clearTimeout(this.#reconnect?.retry);
    this.#reconnect = null;
    this.#emit('reconnected', {});
  }

  #onParticipantReconnecting({ participantId, reconnecting }) {
    const participant = this.participants.get(participantId);
    if (!participant) return;
    participant.reconnecting = reconnecting === true;
    this.#emit('participantreconnecting', { participantId, reconnecting: participant.reconnecting, participant });
  }
}

/** A refusal from the server (its `error` message) or a failure of the connection. */
export class ParleyError extends Error {
  constructor(code, message, requestType) {
    super(`${code}: ${message}`);
    this.name = 'ParleyError';
    /** The protocol's error code, e.g. `auth`, `room_full`, `bad_sdp`. */
    this.code = code;
    /** The type of the message that failed, when known. */
    this.requestType = requestType ?? null;
  }
}

/** The signaling URL on the page's own origin. */
export function defaultSignalingUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws/signaling`;
}

/**
 * The media sections of an SDP by mid: kind, owner (the msid's stream id, which Parley sets to the
 * participant id), source (`a=content:slides` marks a shared screen; otherwise `microphone` or `camera`) and
 * whether it carries nothing: rejected (port 0) or inactive, which is how Parley retires the sections of a
 * participant who left.
 * @returns {Map<string, {kind: string, participantId: string|null, rejected: boolean, source: string}>}
 */
export function mediaSections(sdp) {
  const sections = new Map();
  let current = null;
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) {
      const [kind, port] = line.slice(2).split(' ');
      current = { kind, participantId: null, rejected: port === '0', mid: null, source: kind === 'audio' ? 'microphone' : 'camera' };
    } else if (current && line.startsWith('a=mid:')) {
      current.mid = line.slice(6).trim();
      sections.set(current.mid, current);
    } else if (current && line.trim() === 'a=inactive') {
      current.rejected = true;
    } else if (current && line.trim() === 'a=content:slides') {
      current.source = 'screen';
    } else if (current && line.startsWith('a=msid:')) {
      current.participantId = line.slice(7).trim().split(' ')[0] || null;
    }
  }
  return sections;
}

// The sender half of the screen policy: keep resolution when bandwidth or CPU run short (frames are dropped
// instead), at most SCREEN_MAX_FRAMERATE frames a second, up to SCREEN_MAX_BITRATE. A browser that does not
// take a setting keeps its default; sharing goes on.
async function screenSenderPolicy(sender) {
  const params = sender.getParameters();
  params.degradationPreference = 'maintain-resolution';
  for (const encoding of params.encodings ?? []) {
    encoding.maxFramerate = SCREEN_MAX_FRAMERATE;
    encoding.maxBitrate = SCREEN_MAX_BITRATE;
  }
  try {
    await sender.setParameters(params);
  } catch (error) {
    console.warn('Parley: the browser did not take the screen encoding policy', error);
  }
}
