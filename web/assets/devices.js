// The camera and microphone: opening them, explaining why they would not open, and a live
// microphone level for the device check.

// What the page asks for. "ideal" values never make getUserMedia fail; a camera that cannot do
// 1280×720 at 30 fps gives what it can.
export const MEDIA_CONSTRAINTS = {
  video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
  audio: true,
};

const PLAIN_CONSTRAINTS = { video: true, audio: true };

// openCamera asks the browser for the camera and microphone. Should the browser still refuse the
// constraints (OverconstrainedError), it asks once more without any.
export async function openCamera() {
  if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    throw new DOMException('camera needs a secure context', 'InsecureContextError');
  }
  try {
    return await navigator.mediaDevices.getUserMedia(MEDIA_CONSTRAINTS);
  } catch (err) {
    if (!err || err.name !== 'OverconstrainedError') throw err;
    console.warn('takes: camera refused the constraints, trying without', err);
    return navigator.mediaDevices.getUserMedia(PLAIN_CONSTRAINTS);
  }
}

// problemKind names what went wrong for the candidate, from getUserMedia's error: one of
// blocked, no-camera, no-microphone, no-devices, busy, constraints, insecure, other.
export async function problemKind(err) {
  switch (err && err.name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError': // older Chromium
    case 'SecurityError':
      return 'blocked';
    case 'NotFoundError':
    case 'DevicesNotFoundError': // older Chromium
      return missingDevice();
    case 'NotReadableError':
    case 'TrackStartError': // older Chromium
    case 'AbortError':
      return 'busy';
    case 'OverconstrainedError':
      return 'constraints';
    case 'InsecureContextError':
      return 'insecure';
    default:
      return 'other';
  }
}

// missingDevice tells a missing camera from a missing microphone, as far as the browser says.
async function missingDevice() {
  try {
    const devices = await navigator.mediaDevices.enumerateDevices();
    const camera = devices.some((d) => d.kind === 'videoinput');
    const microphone = devices.some((d) => d.kind === 'audioinput');
    if (camera && !microphone) return 'no-microphone';
    if (microphone && !camera) return 'no-camera';
  } catch {
    // Fall through to the general answer.
  }
  return 'no-devices';
}

const METER_INTERVAL_MS = 100;
const FLOOR_DB = -60; // quieter than this shows as an empty meter
const HEARD_LEVEL = 0.25; // about -45 dBFS: speech at a normal distance is well above it

// MicMeter measures the loudness of a stream's microphone with an AnalyserNode. It only listens:
// nothing is played back, so there is no echo.
export class MicMeter {
  #context = null;
  #source = null;
  #analyser = null;
  #samples = null;
  #timer = 0;
  #onLevel;
  #wake = () => this.#resume();

  // onLevel(level, heard, running) is called about ten times a second with a level from 0 to 1;
  // heard says whether the level is that of a voice rather than of a quiet room, running whether
  // the browser lets the page measure at all (it may hold audio back until the candidate clicks).
  constructor(onLevel) {
    this.#onLevel = onLevel;
  }

  // start measures stream's microphone, in place of any earlier one. It returns false when the
  // browser cannot measure it.
  start(stream) {
    this.stop();
    const AudioContextClass = window.AudioContext || window.webkitAudioContext;
    if (!AudioContextClass || stream.getAudioTracks().length === 0) return false;
    try {
      this.#context = new AudioContextClass();
      this.#source = this.#context.createMediaStreamSource(stream);
      this.#analyser = this.#context.createAnalyser();
      this.#analyser.fftSize = 1024;
      this.#source.connect(this.#analyser);
    } catch (err) {
      console.warn('takes: cannot measure the microphone', err);
      this.stop();
      return false;
    }
    this.#samples = new Float32Array(this.#analyser.fftSize);
    // A context made after an await may start suspended: it is resumed now, and again at the
    // candidate's next click or key press, which browsers accept as permission to play audio.
    this.#resume();
    document.addEventListener('pointerdown', this.#wake, true);
    document.addEventListener('keydown', this.#wake, true);
    this.#timer = setInterval(() => this.#measure(), METER_INTERVAL_MS);
    return true;
  }

  stop() {
    clearInterval(this.#timer);
    this.#timer = 0;
    document.removeEventListener('pointerdown', this.#wake, true);
    document.removeEventListener('keydown', this.#wake, true);
    if (this.#source) this.#source.disconnect();
    if (this.#context) this.#context.close().catch(() => {});
    this.#context = this.#source = this.#analyser = this.#samples = null;
  }

  #resume() {
    // resume() may stay pending until the browser allows audio: nothing waits for it.
    if (this.#context && this.#context.state === 'suspended') this.#context.resume().catch(() => {});
  }

  #measure() {
    if (!this.#analyser) return;
    if (this.#context.state !== 'running') {
      this.#onLevel(0, false, false);
      return;
    }
    this.#analyser.getFloatTimeDomainData(this.#samples);
    let sum = 0;
    for (const s of this.#samples) sum += s * s;
    const rms = Math.sqrt(sum / this.#samples.length);
    const db = rms > 0 ? 20 * Math.log10(rms) : FLOOR_DB;
    const level = Math.min(1, Math.max(0, (db - FLOOR_DB) / -FLOOR_DB));
    this.#onLevel(level, level >= HEARD_LEVEL, true);
  }
}
