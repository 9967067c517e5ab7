// The candidate page: pick a question, record an answer, watch it back.
// The browser sends camera and microphone over WebRTC; the server records them (docs/protocol.md).
import { t } from './strings.js';
import { Socket } from './signaling.js';
import { Peer } from './peer.js';

const MEDIA_CONSTRAINTS = {
  video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
  audio: { echoCancellation: true, noiseSuppression: true },
};

const byId = (id) => document.getElementById(id);

const ui = {
  title: byId('title'),
  connection: byId('connection'),
  questions: byId('questions'),
  noQuestions: byId('no-questions'),
  currentNumber: byId('current-question-number'),
  currentText: byId('current-question-text'),
  preview: byId('preview'),
  indicator: byId('recording-indicator'),
  indicatorLabel: byId('indicator-label'),
  elapsed: byId('elapsed'),
  controls: byId('controls'),
  record: byId('record-button'),
  stop: byId('stop-button'),
  retake: byId('retake-button'),
  remove: byId('remove-button'),
  cameraProblem: byId('camera-problem'),
  cameraProblemText: byId('camera-problem-text'),
  cameraRetry: byId('camera-retry'),
  status: byId('status'),
  takeStatus: byId('take-status'),
  playerSlot: byId('player-slot'),
};

// Everything the page shows is drawn from this by render().
const state = {
  badLink: false,
  title: '',
  questions: [], // {id, text, number, take: null | {n, state, durationMs, url, cut}}
  selected: null, // id of the chosen question
  socketOpen: false,
  everWelcomed: false,
  welcomed: false, // a welcome came on the current socket
  retryInMs: 0,
  media: 'waiting', // "waiting" | "ready" | "failed"
  mediaError: '',
  peer: 'none', // "none" | "connecting" | "connected" | "lost"
  // The take being recorded: phase "starting" (asked, no keyframe yet), "recording" or "stopping".
  rec: null, // {question, phase, startedAt}
  removing: null, // id of the question whose take we asked to remove
};

let socket = null;
let peer = null;
let stream = null;
let player = null;
let timer = 0;
let refocus = false; // a control button was used and may have lost focus by being disabled

// ---- start-up ----

function main() {
  applyStaticStrings();
  wireControls();
  const token = tokenFromPath(location.pathname);
  if (!token) {
    state.badLink = true;
    render();
    return;
  }
  socket = new Socket(socketURL(token), { open: onSocketOpen, message: onMessage, close: onSocketClose });
  socket.start();
  startCamera();
  window.addEventListener('online', () => socket.retryNow());
  window.addEventListener('beforeunload', (e) => {
    if (!state.rec) return;
    e.preventDefault();
    e.returnValue = ''; // older browsers ask only when this is set
  });
  render();
}

function applyStaticStrings() {
  document.title = t('documentTitle');
  for (const el of document.querySelectorAll('[data-text]')) el.textContent = t(el.dataset.text);
  for (const el of document.querySelectorAll('[data-label]')) el.setAttribute('aria-label', t(el.dataset.label));
}

function tokenFromPath(pathname) {
  const m = /^\/i\/([^/]+)\/?$/.exec(pathname);
  if (!m) return '';
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return '';
  }
}

function socketURL(token) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws/${encodeURIComponent(token)}`;
}

function wireControls() {
  ui.record.addEventListener('click', () => startTake('record'));
  ui.retake.addEventListener('click', () => startTake('retake'));
  ui.stop.addEventListener('click', stopTake);
  ui.remove.addEventListener('click', removeTake);
  ui.cameraRetry.addEventListener('click', startCamera);
  ui.controls.addEventListener('click', (e) => {
    if (e.target.closest('button')) refocus = true;
  });
  document.addEventListener('focusin', (e) => {
    if (!ui.controls.contains(e.target)) refocus = false;
  });
  ui.questions.addEventListener('change', (e) => {
    if (e.target.name !== 'question') return;
    state.selected = e.target.value;
    render();
  });
  // The whole row selects its question, not only the radio button and its label.
  ui.questions.addEventListener('click', (e) => {
    if (e.target.closest('input, label')) return;
    const input = e.target.closest('li')?.querySelector('input');
    if (input && !input.checked) input.click();
  });
}

// ---- camera ----

async function startCamera() {
  state.media = 'waiting';
  state.mediaError = '';
  render();
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    cameraFailed(t('cameraInsecure'));
    return;
  }
  let fresh;
  try {
    fresh = await navigator.mediaDevices.getUserMedia(MEDIA_CONSTRAINTS);
  } catch (err) {
    console.warn('takes: getUserMedia', err);
    cameraFailed(cameraErrorText(err));
    return;
  }
  if (stream) for (const track of stream.getTracks()) track.stop();
  stream = fresh;
  for (const track of stream.getTracks()) track.addEventListener('ended', onTrackEnded);
  ui.preview.muted = true;
  ui.preview.srcObject = stream;
  ui.preview.play().catch(() => {}); // a muted video may autoplay; if not, the preview just stays still
  state.media = 'ready';
  if (peer) peer.replaceStream(stream);
  else maybeStartPeer();
  render();
}

function cameraFailed(text) {
  state.media = 'failed';
  state.mediaError = text;
  render();
}

function cameraErrorText(err) {
  switch (err && err.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return t('cameraBlocked');
    case 'NotFoundError':
    case 'OverconstrainedError':
      return t('cameraNotFound');
    case 'NotReadableError':
    case 'AbortError':
      return t('cameraBusy');
    default:
      return t('cameraFailed');
  }
}

function onTrackEnded(e) {
  if (!stream || !stream.getTracks().includes(e.target)) return;
  cameraFailed(t('cameraStopped'));
}

// ---- connection ----

function maybeStartPeer() {
  if (peer || !state.welcomed || state.media !== 'ready' || !socket.isOpen) return;
  peer = new Peer(stream, (msg) => socket.send(msg), {
    state: (s) => {
      state.peer = s;
      render();
    },
    // The server's peer belongs to the socket: a fresh socket brings a fresh pair of peers.
    giveUp: () => socket.drop(),
  });
  peer.start();
}

function onSocketOpen() {
  state.socketOpen = true;
  render();
}

function onSocketClose({ delayMs }) {
  state.socketOpen = false;
  state.welcomed = false;
  state.retryInMs = delayMs;
  if (peer) peer.close();
  peer = null;
  state.peer = 'none';
  // A take in progress is cut by the server when the socket goes; the next welcome shows what was kept.
  state.rec = null;
  state.removing = null;
  render();
}

const events = new Map([
  ['welcome', onWelcome],
  ['answer', (msg) => peer && peer.acceptAnswer(msg.sdp)],
  ['candidate', (msg) => peer && peer.addRemoteCandidate(msg.candidate)],
  ['recording', onRecording],
  ['saved', onSaved],
  ['removed', onRemoved],
  ['error', onError],
]);

function onMessage(msg) {
  const handle = events.get(msg.type);
  if (handle) handle(msg);
  else console.warn('takes: unknown event', msg.type);
}

// ---- events ----

function onWelcome(msg) {
  state.welcomed = true;
  state.everWelcomed = true;
  state.title = typeof msg.interview?.title === 'string' ? msg.interview.title : '';
  const list = Array.isArray(msg.questions) ? msg.questions : [];
  state.questions = list.map((q, i) => ({
    id: String(q.id),
    text: typeof q.text === 'string' ? q.text : '',
    number: i + 1,
    take: takeFromWelcome(q.take),
  }));
  if (!state.questions.some((q) => q.id === state.selected)) state.selected = state.questions[0]?.id ?? null;
  state.rec = null;
  state.removing = null;
  buildQuestionList();
  maybeStartPeer();
  render();
}

function takeFromWelcome(take) {
  if (!take || typeof take.url !== 'string') return null;
  return {
    n: take.n,
    state: take.state === 'submitted' ? 'submitted' : 'draft',
    durationMs: Number(take.durationMs) || 0,
    url: take.url,
    cut: false,
  };
}

function onRecording(msg) {
  const q = question(msg.question);
  // On a retake the server has already deleted the previous take.
  if (q) q.take = null;
  const phase = state.rec && state.rec.phase === 'stopping' ? 'stopping' : 'recording';
  state.rec = { question: msg.question, phase, startedAt: performance.now() };
  startTimer();
  announce(t('announceRecording', { n: q ? q.number : '?' }));
  render();
}

function onSaved(msg) {
  const q = question(msg.question);
  const cut = msg.cut === true;
  if (q) q.take = { n: msg.take, state: 'draft', durationMs: Number(msg.durationMs) || 0, url: msg.url, cut };
  state.rec = null;
  stopTimer();
  const vars = { n: q ? q.number : '?', duration: formatDuration(msg.durationMs, Math.round) };
  announce(t(cut ? 'announceSavedCut' : 'announceSaved', vars));
  render();
}

function onRemoved(msg) {
  const q = question(msg.question);
  if (q) q.take = null;
  state.removing = null;
  announce(t('announceRemoved', { n: q ? q.number : '?' }));
  render();
}

function onError(msg) {
  const text = typeof msg.message === 'string' && msg.message ? msg.message : t('errorGeneric');
  announce(text, 'error');
  settleAfterError(msg.request, msg.code);
  render();
}

// settleAfterError undoes what the page assumed when it sent the refused message.
function settleAfterError(request, code) {
  if (code === 'already-recording') {
    // The server is recording something we did not know of (say, our own record sent twice):
    // show it and let the candidate stop it.
    state.removing = null;
    if (!state.rec || state.rec.phase === 'starting') state.rec = { question: null, phase: 'recording', startedAt: null };
    return;
  }
  switch (request) {
    case 'record':
    case 'retake':
      if (state.rec && state.rec.phase === 'starting') state.rec = null;
      break;
    case 'stop':
      state.rec = null; // not-recording, empty-take, write-failed: nothing is being recorded any more
      break;
    case 'remove-take':
      state.removing = null;
      break;
    default:
      if (code === 'write-failed') state.rec = null; // an unprompted failure discards the take in progress
  }
  if (!state.rec) stopTimer();
}

// ---- commands ----

function startTake(type) {
  const q = selectedQuestion();
  if (!q || !send({ type, question: q.id })) return;
  state.rec = { question: q.id, phase: 'starting', startedAt: null };
  render();
}

function stopTake() {
  if (!state.rec || !send({ type: 'stop' })) return;
  state.rec.phase = 'stopping';
  render();
}

function removeTake() {
  const q = selectedQuestion();
  if (!q || !send({ type: 'remove-take', question: q.id })) return;
  state.removing = q.id;
  render();
}

function send(msg) {
  if (socket && socket.send(msg)) return true;
  announce(t('notConnected'), 'error');
  return false;
}

// ---- drawing ----

function render() {
  renderHeader();
  renderQuestions();
  renderCurrent();
  renderButtons();
  renderIndicator();
  renderCamera();
  renderTake();
  restoreFocus();
}

function renderHeader() {
  setText(ui.title, state.title || t('loadingTitle'));
  document.title = state.title ? t('documentTitleWithName', { title: state.title }) : t('documentTitle');
  const [kind, text] = connectionInfo();
  ui.connection.dataset.state = kind;
  setText(ui.connection, text);
}

function connectionInfo() {
  if (state.badLink) return ['error', t('badLink')];
  const seconds = Math.max(1, Math.round(state.retryInMs / 1000));
  if (!state.socketOpen && state.retryInMs > 0) {
    return state.everWelcomed ? ['lost', t('connectionLostRetry', { seconds })] : ['error', t('cannotReach', { seconds })];
  }
  if (!state.socketOpen || !state.welcomed) return ['connecting', t('connecting')];
  if (state.media === 'failed') return ['error', t('cameraUnavailable')];
  if (state.media === 'waiting') return ['connecting', t('waitingForCamera')];
  if (state.peer === 'connected') return ['connected', t('connected')];
  if (state.peer === 'lost') return ['lost', t('connectionLost')];
  return ['connecting', t('connectingCamera')];
}

function buildQuestionList() {
  ui.questions.replaceChildren(...state.questions.map(questionItem));
  ui.noQuestions.hidden = state.questions.length > 0;
}

function questionItem(q) {
  const id = `question-${q.number}`;
  const li = document.createElement('li');
  li.className = 'question';
  li.dataset.questionId = q.id;
  const input = document.createElement('input');
  input.type = 'radio';
  input.name = 'question';
  input.id = id;
  input.value = q.id;
  input.setAttribute('aria-describedby', `${id}-state`);
  const label = document.createElement('label');
  label.htmlFor = id;
  const number = document.createElement('span');
  number.className = 'question-number';
  number.textContent = t('questionNumber', { n: q.number });
  const text = document.createElement('span');
  text.className = 'question-text';
  text.textContent = q.text;
  label.append(number, text);
  const status = document.createElement('span');
  status.className = 'question-state';
  status.id = `${id}-state`;
  li.append(input, label, status);
  return li;
}

function renderQuestions() {
  for (const li of ui.questions.children) {
    const q = question(li.dataset.questionId);
    if (!q) continue;
    const selected = q.id === state.selected;
    li.classList.toggle('selected', selected);
    li.querySelector('input').checked = selected;
    const [kind, text] = questionState(q);
    li.dataset.state = kind;
    setText(li.querySelector('.question-state'), text);
  }
}

function questionState(q) {
  if (state.rec && state.rec.question === q.id) {
    const phases = { starting: 'stateStarting', recording: 'stateRecording', stopping: 'stateSaving' };
    return [state.rec.phase, t(phases[state.rec.phase])];
  }
  if (!q.take) return ['none', t('stateNone')];
  const duration = formatDuration(q.take.durationMs, Math.round);
  return [q.take.state, t(q.take.state === 'submitted' ? 'stateSubmitted' : 'stateSaved', { duration })];
}

function renderCurrent() {
  const q = selectedQuestion();
  setText(ui.currentNumber, q ? t('questionOf', { n: q.number, total: state.questions.length }) : '');
  setText(ui.currentText, q ? q.text : state.welcomed ? t('noQuestionSelected') : '');
}

function renderButtons() {
  const q = selectedQuestion();
  const online = state.socketOpen && state.welcomed;
  const mediaFlows = online && state.media === 'ready' && state.peer === 'connected';
  const busy = state.rec !== null || state.removing !== null;
  const hasTake = Boolean(q && q.take);
  ui.record.disabled = !(mediaFlows && q && !hasTake && !busy);
  // Stop is allowed before the first keyframe too: the server then answers "empty-take".
  ui.stop.disabled = !(online && state.rec && state.rec.phase !== 'stopping');
  ui.retake.disabled = !(mediaFlows && hasTake && !busy);
  ui.remove.disabled = !(online && hasTake && !busy);
}

function renderIndicator() {
  const rec = state.rec;
  ui.indicator.hidden = rec === null;
  if (!rec) return;
  ui.indicator.dataset.phase = rec.phase;
  let label = t('indicatorStarting');
  if (rec.phase === 'stopping') label = t('indicatorSaving');
  else if (rec.phase === 'recording') {
    const q = question(rec.question);
    label = !q || q.id === state.selected ? t('indicatorRecording') : t('indicatorRecordingOther', { n: q.number });
  }
  setText(ui.indicatorLabel, label);
  renderElapsed();
}

function renderElapsed() {
  const started = state.rec && state.rec.startedAt;
  setText(ui.elapsed, started ? formatDuration(performance.now() - started, Math.floor) : '');
}

function renderCamera() {
  ui.cameraProblem.hidden = state.media !== 'failed';
  setText(ui.cameraProblemText, state.mediaError);
}

function renderTake() {
  const q = selectedQuestion();
  const recordingThis = Boolean(q && state.rec && state.rec.question === q.id);
  let text = '';
  if (recordingThis) {
    const phases = { starting: 'takeStarting', recording: 'takeRecording', stopping: 'takeSaving' };
    text = t(phases[state.rec.phase]);
  } else if (q && q.take) {
    const vars = { duration: formatDuration(q.take.durationMs, Math.round), take: q.take.n };
    text = t(q.take.state === 'submitted' ? 'takeSubmitted' : 'takeSaved', vars);
    if (q.take.cut) text += ` ${t('takeCut')}`;
  } else if (q) {
    text = t('takeNone');
  }
  setText(ui.takeStatus, text);
  showPlayer(!recordingThis && q && q.take ? q : null);
  // Playback heard by the microphone would end up in the recording.
  if (player && state.rec) player.pause();
}

// showPlayer puts a player for q's take on the page, or removes it when q is null.
function showPlayer(q) {
  const url = q ? q.take.url : '';
  if (player && player.dataset.url === url) return;
  if (player) {
    player.pause();
    player.removeAttribute('src');
    player.load(); // releases the connection to the old file
    player.remove();
    player = null;
  }
  if (!q) return;
  player = document.createElement('video');
  player.id = 'playback';
  player.className = 'playback';
  player.controls = true;
  player.preload = 'metadata';
  player.playsInline = true;
  player.dataset.url = url;
  player.setAttribute('aria-label', t('playbackLabel', { n: q.number }));
  player.src = url;
  ui.playerSlot.append(player);
}

// restoreFocus keeps keyboard users in the controls when the button they used becomes disabled.
function restoreFocus() {
  if (!refocus) return;
  const active = document.activeElement;
  if (active && active !== document.body && !active.disabled) return;
  const next = [ui.stop, ui.record, ui.retake, ui.remove].find((b) => !b.disabled);
  if (next) next.focus();
}

function announce(text, kind = 'info') {
  ui.status.dataset.kind = kind;
  ui.status.textContent = text;
}

function startTimer() {
  if (!timer) timer = setInterval(renderElapsed, 250);
}

function stopTimer() {
  clearInterval(timer);
  timer = 0;
}

// ---- helpers ----

function question(id) {
  return state.questions.find((q) => q.id === id) || null;
}

function selectedQuestion() {
  return question(state.selected);
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

// formatDuration writes milliseconds as m:ss (or h:mm:ss), rounding the seconds with round.
function formatDuration(ms, round) {
  const total = Math.max(0, round((Number(ms) || 0) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

main();
