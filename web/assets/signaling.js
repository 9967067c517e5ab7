// The WebSocket to the server: one JSON object per text frame (docs/protocol.md).
// A Socket keeps trying to be connected, waiting longer after each failure.

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;
const RECONNECT_CODE = 4000; // our own close code for "drop this socket and open a new one"

export class Socket {
  #url;
  #on;
  #ws = null;
  #failures = 0;
  #timer = 0;
  #stopped = false;

  // on.open(), on.message(msg) and on.close({delayMs}) are called as the socket comes and goes;
  // delayMs says when the next attempt will be made.
  constructor(url, on) {
    this.#url = url;
    this.#on = on;
  }

  get isOpen() {
    return this.#ws !== null && this.#ws.readyState === WebSocket.OPEN;
  }

  start() {
    this.#connect();
  }

  // send writes msg if the socket is open and reports whether it did.
  send(msg) {
    if (!this.isOpen) return false;
    this.#ws.send(JSON.stringify(msg));
    return true;
  }

  // retryNow skips the wait before the next attempt (for example when the browser comes back online).
  retryNow() {
    if (this.#ws !== null || this.#timer === 0) return;
    clearTimeout(this.#timer);
    this.#connect();
  }

  // stop closes the socket for good: no reconnect follows (the interview was opened elsewhere).
  stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = 0;
    if (this.#ws !== null) this.#ws.close();
  }

  // drop closes the current socket; the usual reconnect follows.
  drop() {
    if (this.#ws !== null) this.#ws.close(RECONNECT_CODE, 'reconnect');
  }

  #connect() {
    this.#timer = 0;
    let ws;
    try {
      ws = new WebSocket(this.#url);
    } catch (err) {
      console.warn('takes: cannot open socket', err);
      this.#closed();
      return;
    }
    this.#ws = ws;
    ws.addEventListener('open', () => this.#on.open());
    ws.addEventListener('message', (e) => this.#message(e.data));
    ws.addEventListener('close', () => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      this.#closed();
    });
  }

  #message(data) {
    if (typeof data !== 'string') return;
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      console.warn('takes: ignoring a frame that is not JSON');
      return;
    }
    if (msg === null || typeof msg !== 'object' || typeof msg.type !== 'string') return;
    // A server that talks to us is reachable: the next failure starts the backoff again.
    this.#failures = 0;
    this.#on.message(msg);
  }

  #closed() {
    if (this.#stopped) {
      this.#on.close({ delayMs: 0 });
      return;
    }
    const delayMs = this.#nextDelay();
    this.#failures++;
    this.#timer = setTimeout(() => this.#connect(), delayMs);
    this.#on.close({ delayMs });
  }

  #nextDelay() {
    const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.#failures);
    // Some jitter so that many candidates cut off at once do not all come back at the same instant.
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }
}
