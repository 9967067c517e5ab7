// The recruiter's page for recording a video question (templates/questionvideo.html). The camera goes
// to the server over WebRTC, as a candidate's does; the server writes the file and says "saved". The
// socket speaks the candidate protocol (docs/protocol.md) plus "remove-video"; see signaling/questionrec.go.

import { Socket } from './signaling.js';
import { Peer } from './peer.js';
import { MEDIA_CONSTRAINTS, MicMeter, problemKind } from './devices.js';
import { byId, formatDuration, setText, show } from './dom.js';

const root = byId('qv');
const ui = {
  status: byId('qv-status'),
  error: byId('qv-error'),
  saved: byId('qv-saved'),
  savedVideo: byId('saved-video'),
  camera: byId('qv-camera'),
  preview: byId('preview'),
  badge: byId('qv-badge'),
  elapsed: byId('elapsed'),
  devices: byId('qv-devices'),
  cameraSelect: byId('camera'),
  micSelect: byId('microphone'),
  meter: byId('mic-level'),
  micHint: byId('mic-hint'),
  cameraOn: byId('camera-on'),
  record: byId('record'),
  stop: byId('stop'),
  cameraOff: byId('camera-off'),
  again: byId('record-again'),
  remove: byId('remove'),
};

const HEARD_HOLD_MS = 1500; // the hint says "heard" for this long after the last loud moment

const PROBLEMS = {
  blocked: 'The browser blocked the camera or microphone. Allow both for this site (see the camera icon in the address bar), then press Turn on camera again.',
  'no-camera': 'No camera was found. Connect one, then press Turn on camera again.',
  'no-microphone': 'No microphone was found. Connect one, then press Turn on camera again.',
  'no-devices': 'No camera or microphone was found. Connect them, then press Turn on camera again.',
  busy: 'Another program is using the camera or microphone. Close it, then press Turn on camera again.',
  constraints: 'This camera cannot be used. Choose another camera.',
  insecure: 'The browser allows the camera only on a secure (https) address. Open this page through https.',
  other: 'The camera could not be started. Press Turn on camera again, or reload the page.',
};

const state = {
  welcomed: false,
  hasVideo: root.dataset.hasVideo === 'true',
  limitMs: 5 * 60 * 1000,
  mode: 'review', // "review": the saved video; "camera": the camera and the recorder
  camera: 'off', // off, starting, on
  mediaReady: false,
  phase: 'idle', // idle, arming, recording, saving, removing
  startedAt: 0,
  heardAt: 0,
  micRunning: true,
  notice: '',
};

let socket = null;
let peer = null;
let peerUsed = false; // a peer connection was made on the current socket
let stream = null;
let ticker = 0;
const meter = new MicMeter(onMicLevel);

function start() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  socket = new Socket(`${scheme}//${location.host}${root.dataset.socket}`, {
    open: () => update(),
    message: onMessage,
    close: onSocketClose,
  });
  ui.cameraOn.addEventListener('click', () => openCameraMode());
  ui.again.addEventListener('click', () => openCameraMode());
  ui.cameraOff.addEventListener('click', () => closeCameraMode());
  ui.record.addEventListener('click', record);
  ui.stop.addEventListener('click', stop);
  ui.remove.addEventListener('click', removeVideo);
  ui.cameraSelect.addEventListener('change', switchDevice);
  ui.micSelect.addEventListener('change', switchDevice);
  window.addEventListener('beforeunload', (e) => {
    if (state.phase === 'recording' || state.phase === 'arming') e.preventDefault();
  });
  socket.start();
  update();
}

// ---- the socket ----

function onMessage(msg) {
  switch (msg.type) {
    case 'welcome':
      onWelcome(msg);
      break;
    case 'answer':
      if (peer) peer.acceptAnswer(msg.sdp);
      break;
    case 'candidate':
      if (peer) peer.addRemoteCandidate(msg.candidate);
      break;
    case 'media':
      state.mediaReady = msg.ready !== false;
      break;
    case 'recording':
      onRecording(msg);
      break;
    case 'saved':
      onSaved(msg);
      break;
    case 'removed':
      onRemoved();
      break;
    case 'error':
      onError(msg);
      break;
  }
  update();
}

function onWelcome(msg) {
  state.welcomed = true;
  const q = Array.isArray(msg.questions) ? msg.questions[0] : null;
  if (q) setHasVideo(q.video === true);
  if (msg.limitMs > 0) state.limitMs = msg.limitMs;
  startPeer();
}

function onSocketClose() {
  const lost = state.phase === 'arming' || state.phase === 'recording' || state.phase === 'saving';
  state.welcomed = false;
  peerUsed = false;
  closePeer();
  endPhase();
  if (lost) showError('The connection to the server dropped, so this recording was not kept. Your earlier video, if any, is unchanged. Record again once the page has reconnected.');
  update();
}

function send(msg) {
  if (socket.send(msg)) return true;
  showError('The page is not connected to the server. Wait a moment and try again.');
  return false;
}

// ---- the camera ----

async function openCameraMode() {
  clearError();
  state.notice = '';
  state.mode = 'camera';
  pauseSaved();
  if (peerUsed) {
    // A fresh socket gives a fresh peer connection on the server; its welcome starts the new peer.
    state.welcomed = false;
    socket.drop();
  }
  await openCamera(ui.cameraSelect.value, ui.micSelect.value);
}

function closeCameraMode() {
  releaseCamera();
  state.mode = 'review';
  update();
}

async function openCamera(cameraId, micId) {
  state.camera = 'starting';
  update();
  let fresh;
  try {
    fresh = await getStream(cameraId, micId);
  } catch (err) {
    console.warn('takes: getUserMedia', err);
    state.camera = stream ? 'on' : 'off';
    showError(PROBLEMS[await problemKind(err)] || PROBLEMS.other);
    update();
    return;
  }
  if (state.mode !== 'camera') {
    stopTracks(fresh);
    return;
  }
  useStream(fresh);
  await listDevices();
  startPeer();
  update();
}

function getStream(cameraId, micId) {
  const video = cameraId ? { ...MEDIA_CONSTRAINTS.video, deviceId: { exact: cameraId } } : MEDIA_CONSTRAINTS.video;
  const audio = micId ? { deviceId: { exact: micId } } : true;
  if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return Promise.reject(new DOMException('camera needs a secure context', 'InsecureContextError'));
  }
  return navigator.mediaDevices.getUserMedia({ video, audio });
}

function useStream(fresh) {
  const old = stream;
  stream = fresh;
  ui.preview.srcObject = stream;
  ui.preview.play().catch(() => {}); // a muted video may autoplay; if not, the preview stays still
  state.micRunning = meter.start(stream);
  state.camera = 'on';
  if (peer) peer.replaceStream(stream);
  if (old) stopTracks(old);
}

// switchDevice opens the chosen camera and microphone in place of the current ones, without a new
// peer connection.
async function switchDevice() {
  if (state.camera !== 'on' || state.phase !== 'idle') return;
  clearError();
  await openCamera(ui.cameraSelect.value, ui.micSelect.value);
}

async function listDevices() {
  let devices = [];
  try {
    devices = await navigator.mediaDevices.enumerateDevices();
  } catch (err) {
    console.warn('takes: enumerateDevices', err);
  }
  fillSelect(ui.cameraSelect, devices.filter((d) => d.kind === 'videoinput'), 'Camera', trackDevice('video'));
  fillSelect(ui.micSelect, devices.filter((d) => d.kind === 'audioinput'), 'Microphone', trackDevice('audio'));
}

function trackDevice(kind) {
  const track = stream && (kind === 'video' ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0]);
  return track ? track.getSettings().deviceId || '' : '';
}

function fillSelect(select, devices, noun, current) {
  select.replaceChildren(
    ...devices.map((d, i) => {
      const option = document.createElement('option');
      option.value = d.deviceId;
      option.textContent = d.label || `${noun} ${i + 1}`;
      option.selected = d.deviceId === current;
      return option;
    }),
  );
}

function releaseCamera() {
  closePeer();
  meter.stop();
  if (stream) stopTracks(stream);
  stream = null;
  ui.preview.srcObject = null;
  state.camera = 'off';
  state.mediaReady = false;
}

function stopTracks(s) {
  for (const track of s.getTracks()) track.stop();
}

function onMicLevel(level, loud, running) {
  if (loud) state.heardAt = performance.now();
  state.micRunning = running;
  ui.meter.value = level;
  renderMicHint();
}

function renderMicHint() {
  const heard = state.heardAt > 0 && performance.now() - state.heardAt < HEARD_HOLD_MS;
  let hint = 'Say something: the bar should move. If it does not, choose another microphone.';
  if (!state.micRunning) hint = 'Click anywhere on the page to start the microphone level.';
  else if (heard) hint = 'The microphone hears you.';
  setText(ui.micHint, hint);
}

// ---- the peer connection ----

function startPeer() {
  if (peer || !stream || !state.welcomed || state.mode !== 'camera') return;
  state.mediaReady = false;
  peerUsed = true;
  const p = new Peer(stream, (msg) => socket.send(msg), {
    state: () => update(),
    giveUp: () => {
      if (p === peer) socket.drop(); // a new socket brings a new peer connection
    },
  });
  peer = p;
  p.start();
}

function closePeer() {
  if (peer) peer.close();
  peer = null;
  state.mediaReady = false;
}

// ---- recording ----

function record() {
  if (!canRecord()) return;
  clearError();
  if (send({ type: 'record' })) state.phase = 'arming';
  update();
}

function stop() {
  if (state.phase !== 'recording' && state.phase !== 'arming') return;
  if (send({ type: 'stop' })) state.phase = 'saving';
  update();
}

function onRecording(msg) {
  state.phase = 'recording';
  state.startedAt = performance.now();
  if (msg.limitMs > 0) state.limitMs = msg.limitMs;
  clearInterval(ticker);
  ticker = setInterval(renderElapsed, 250);
  renderElapsed();
  ui.stop.focus();
}

function onSaved(msg) {
  endPhase();
  releaseCamera();
  state.mode = 'review';
  setHasVideo(true);
  ui.savedVideo.src = `${msg.url || root.dataset.file}?v=${Date.now()}`; // the file changed: do not reuse a cached one
  const why = msg.reason === 'limit' ? ' The recording reached the time limit and stopped by itself.' : '';
  state.notice = `Saved a ${formatDuration(msg.durationMs)} video. Candidates now see it with the question.${why}`;
  ui.savedVideo.focus();
}

function removeVideo() {
  if (state.phase !== 'idle' || !state.hasVideo) return;
  if (!window.confirm('Remove this video? Candidates will see only the text of the question.')) return;
  clearError();
  if (send({ type: 'remove-video' })) state.phase = 'removing';
  update();
}

function onRemoved() {
  endPhase();
  setHasVideo(false);
  ui.savedVideo.removeAttribute('src');
  ui.savedVideo.load();
  state.notice = 'The video was removed. Candidates see only the text of the question.';
}

function onError(msg) {
  showError(msg.message || 'Something went wrong on the server. Please try again.');
  // An error about record or stop, or about no request (the recording ended by itself), ends the
  // recording; so does any error while removing.
  if (state.phase === 'removing' || !msg.request || msg.request === 'record' || msg.request === 'stop') endPhase();
}

function endPhase() {
  state.phase = 'idle';
  clearInterval(ticker);
  ticker = 0;
}

function canRecord() {
  return state.mode === 'camera' && state.camera === 'on' && state.welcomed && state.mediaReady && state.phase === 'idle';
}

function setHasVideo(has) {
  state.hasVideo = has;
  root.dataset.hasVideo = String(has);
}

function pauseSaved() {
  if (!ui.savedVideo.paused) ui.savedVideo.pause();
}

// ---- rendering ----

function showError(text) {
  setText(ui.error, text);
  show(ui.error, true);
}

function clearError() {
  show(ui.error, false);
  setText(ui.error, '');
}

function renderElapsed() {
  const ms = state.phase === 'recording' ? performance.now() - state.startedAt : 0;
  setText(ui.elapsed, `${formatDuration(ms)} / ${formatDuration(state.limitMs)}`);
}

function statusText() {
  if (!state.welcomed) return 'Connecting to the server…';
  switch (state.phase) {
    case 'arming':
      return 'Starting the recording…';
    case 'recording':
      return 'Recording. Press Stop when you have asked the question.';
    case 'saving':
      return 'Saving the video…';
    case 'removing':
      return 'Removing the video…';
  }
  if (state.mode === 'camera') {
    if (state.camera === 'starting') return 'Starting the camera…';
    if (state.camera !== 'on') return 'The camera is off.';
    if (!state.mediaReady) return 'Connecting the camera to the server…';
    return 'Ready. Check the picture and the microphone level, then press Record.';
  }
  if (state.notice) return state.notice;
  return state.hasVideo
    ? 'This question has a video. Candidates see it with the question.'
    : 'This question has no video yet. Candidates see only its text.';
}

function update() {
  const camera = state.mode === 'camera';
  const busy = state.phase !== 'idle';
  const recording = state.phase === 'recording' || state.phase === 'arming' || state.phase === 'saving';
  setText(ui.status, statusText());
  show(ui.saved, !camera && state.hasVideo);
  show(ui.camera, camera);
  show(ui.devices, camera && state.camera === 'on');
  show(ui.badge, state.phase === 'recording');
  ui.cameraSelect.disabled = busy;
  ui.micSelect.disabled = busy;

  show(ui.cameraOn, !camera && !state.hasVideo);
  show(ui.again, !camera && state.hasVideo);
  show(ui.remove, !camera && state.hasVideo);
  ui.again.disabled = busy;
  ui.remove.disabled = busy;

  show(ui.record, camera && !recording);
  ui.record.disabled = !canRecord();
  show(ui.stop, camera && recording);
  ui.stop.disabled = state.phase === 'saving';
  setText(ui.stop, state.phase === 'saving' ? 'Saving…' : 'Stop');
  show(ui.cameraOff, camera && !recording);
  renderElapsed();
}

start();
