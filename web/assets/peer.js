// The WebRTC peer connection that carries the camera and microphone to the server.
// The browser always makes the offer; the server only answers, so there is no offer collision to handle.
// When ICE fails, the peer first tries an ICE restart on the same connection; if that does not help, it
// gives up, and the page makes a new peer connection (the server takes a fresh one on the same socket),
// and after that a new socket.

const MAX_ICE_RESTARTS = 1;
const CONNECT_TIMEOUT_MS = 30000; // how long to wait for media to flow before trying to repair the link
// How long a link may stay "disconnected" before it is repaired. Browsers wait long before "failed"; a
// short outage often heals by itself within a few seconds.
const DISCONNECTED_GRACE_MS = 8000;

export class Peer {
  #pc;
  #send;
  #on;
  #senders = new Map(); // kind ("audio" or "video") → RTCRtpSender
  #pending = []; // remote candidates that arrived before the answer
  #ready = false; // the latest answer is applied, so remote candidates can be added
  #everConnected = false;
  #restarts = 0;
  #watchdog = 0;
  #closed = false;

  // send(msg) writes a message to the server. on.state(s) gets "connecting", "connected", "restarting"
  // or "lost"; on.giveUp() is called when this peer connection cannot be repaired.
  constructor(stream, send, on) {
    this.#send = send;
    this.#on = on;
    const pc = new RTCPeerConnection();
    this.#pc = pc;
    for (const track of stream.getTracks()) {
      const transceiver = pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
      this.#senders.set(track.kind, transceiver.sender);
    }
    this.#preferResolution();
    pc.addEventListener('icecandidate', (e) => {
      // A null candidate only means "gathering is done"; the protocol has no message for it.
      if (e.candidate && e.candidate.candidate) this.#send({ type: 'candidate', candidate: e.candidate.toJSON() });
    });
    pc.addEventListener('connectionstatechange', () => this.#stateChanged());
  }

  start() {
    this.#on.state('connecting');
    this.#offer();
    this.#watch();
  }

  get connected() {
    return !this.#closed && this.#pc.connectionState === 'connected';
  }

  async acceptAnswer(sdp) {
    if (this.#closed || typeof sdp !== 'string' || this.#pc.signalingState !== 'have-local-offer') return;
    try {
      await this.#pc.setRemoteDescription({ type: 'answer', sdp });
    } catch (err) {
      console.warn('takes: cannot apply the answer', err);
      this.#on.giveUp();
      return;
    }
    this.#ready = true;
    const queued = this.#pending.splice(0);
    for (const candidate of queued) this.#addCandidate(candidate);
    this.#preferResolution();
  }

  addRemoteCandidate(candidate) {
    if (this.#closed || candidate === null || typeof candidate !== 'object') return;
    if (this.#ready) this.#addCandidate(candidate);
    else this.#pending.push(candidate);
  }

  // replaceStream sends the tracks of a new camera stream without renegotiating.
  replaceStream(stream) {
    for (const track of stream.getTracks()) {
      const sender = this.#senders.get(track.kind);
      if (sender) sender.replaceTrack(track).catch((err) => console.warn('takes: cannot replace track', err));
    }
  }

  close() {
    this.#closed = true;
    clearTimeout(this.#watchdog);
    this.#pc.close();
  }

  async #offer() {
    const pc = this.#pc;
    if (this.#closed || pc.signalingState !== 'stable') return;
    try {
      const offer = await pc.createOffer();
      if (this.#closed) return;
      this.#ready = false;
      await pc.setLocalDescription(offer);
      if (this.#closed) return;
      this.#send({ type: 'offer', sdp: pc.localDescription.sdp });
    } catch (err) {
      if (this.#closed) return;
      console.warn('takes: cannot make an offer', err);
      this.#on.giveUp();
    }
  }

  #addCandidate(candidate) {
    // A candidate of an earlier ICE generation is refused; that is harmless.
    this.#pc.addIceCandidate(candidate).catch((err) => console.warn('takes: remote candidate refused', err));
  }

  #stateChanged() {
    if (this.#closed) return;
    switch (this.#pc.connectionState) {
      case 'connected':
        this.#everConnected = true;
        this.#restarts = 0;
        clearTimeout(this.#watchdog);
        this.#on.state('connected');
        break;
      case 'new':
      case 'connecting':
        this.#on.state(this.#everConnected ? 'lost' : 'connecting');
        break;
      case 'disconnected':
        // Often recovers by itself; if not, the browser moves on to "failed" or the watchdog steps in.
        this.#on.state('lost');
        this.#watch(DISCONNECTED_GRACE_MS);
        break;
      case 'failed':
        this.#on.state('lost');
        this.#repair();
        break;
    }
  }

  // watch repairs the link if it is not connected within CONNECT_TIMEOUT_MS: without remote candidates
  // (or without an answer) a browser may wait forever instead of reporting "failed".
  #watch(timeoutMs = CONNECT_TIMEOUT_MS) {
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => {
      if (!this.#closed && this.#pc.connectionState !== 'connected') this.#repair();
    }, timeoutMs);
  }

  #repair() {
    clearTimeout(this.#watchdog);
    if (this.#restarts >= MAX_ICE_RESTARTS) {
      this.#on.giveUp();
      return;
    }
    this.#restarts++;
    if (this.#pc.signalingState !== 'stable') {
      // The server never answered the last offer: a new offer cannot be made on this socket.
      this.#on.giveUp();
      return;
    }
    console.warn('takes: the camera link is down; restarting ICE');
    this.#on.state('restarting');
    // restartIce makes the next offer carry fresh ICE credentials.
    this.#pc.restartIce();
    this.#offer();
    this.#watch();
  }

  // Keep the picture sharp and let the frame rate drop on a poor link. Not every browser supports this;
  // where it is refused, the browser's default stays.
  #preferResolution() {
    const sender = this.#senders.get('video');
    if (!sender) return;
    try {
      const params = sender.getParameters();
      if (params.degradationPreference === 'maintain-resolution') return;
      params.degradationPreference = 'maintain-resolution';
      sender.setParameters(params).catch(() => {});
    } catch {
      // Unsupported here.
    }
  }
}
