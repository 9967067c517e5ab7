// The candidate's interview page: cookie notice, privacy policy, personal details, the questions with
// their recordings, and sending the answers. The browser sends camera and microphone over WebRTC; the
// server records them, and tells the page everything it needs in its welcome and state messages
// (docs/protocol.md). This module keeps the state and talks to the server; view.js draws the page.
import { t, has, useLanguage } from './strings.js';
import { Socket } from './signaling.js';
import { Peer } from './peer.js';
import { openCamera, problemKind, MicMeter } from './devices.js';
import { checkValues, readValues, showProblems } from './details.js';
import { noticeDismissed, dismissNotice } from './cookies.js';
import { formatDuration } from './dom.js';
import {
  ui, applyStaticStrings, render, focusScreen, fillDetailsForm, renderClock, renderPrep, renderMic, canRecord, online,
  pausePlayers, retryPlayback,
} from './view.js';

const COUNTDOWN_FROM = 3;
const MAX_NEW_PEERS = 1; // fresh peer connections on one socket before a fresh socket is tried
const HEARD_HOLD_MS = 3000; // "we can hear you" stays this long after the last loud moment
const WARN_AT_S = [30, 10]; // remaining seconds announced to screen readers
const MAX_TIMEOUT_MS = 2 ** 31 - 1; // the longest wait setTimeout takes

// Everything the page shows is drawn from this by render().
const state = {
  badLink: false,
  socketOpen: false,
  welcomed: false, // a welcome came on the current socket
  everWelcomed: false,
  retryInMs: 0,
  replaced: false, // the interview was opened in another window: this one stays closed
  revoked: false, // the recruiter withdrew the link: nothing more can be done here

  // What the server said (welcome and state messages).
  stage: '', // privacy, details, questions, submitted
  interview: null, // {id, title, welcome, privacy, fields: [{name, label, kind, required}]}
  details: {},
  questions: [], // {id, number, text, required, timeLimitMs, retakeLimit, retakesLeft, prepMs, videoUrl, take}
  submittedAt: '',
  closesAt: '', // the deadline, when there is one (ISO time)
  closed: false, // the deadline has passed: no new take, but drafts may still be sent

  // Where the candidate is.
  screen: 'loading', // loading, privacy, details, questions, record, submit, done, withdrawn
  current: null, // the question of the recording screen
  editingDetails: false,
  cookieNotice: false,
  pending: null, // a stage command waiting for its answer: accept-privacy, details or submit
  missing: null, // ids of the questions the server said need an answer

  // Camera, microphone and the link to the server.
  camera: 'off', // off, asking, on, failed
  problem: '', // what went wrong when camera is failed (devices.js problemKind, or "stopped")
  mic: { level: 0, heard: false, available: true, running: true },
  peer: 'none', // none, connecting, connected, restarting, lost
  mediaReady: false, // the server has our media (its "media" event)

  // The take in progress: phase prep (the question's preparation time runs until prepEndsAt), countdown
  // (count 3, 2, 1), starting (asked, not yet recording), recording or stopping. type is the command that
  // starts it: record or retake. Nothing is sent to the server before the countdown ends.
  rec: null, // {question, type, phase, count, prepEndsAt, startedAt, limitMs, warned}
  removing: null, // the question whose take we asked to remove
  cut: null, // {question, phase}: a take in progress when the socket dropped
  notice: null, // {question, key, vars}: what happened to the question's last take
};

let socket = null;
let peer = null;
let stream = null;
let meter = null;
let heardAt = 0;
let countdownTimer = 0;
let prepTimer = 0;
let clockTimer = 0;
let closeTimer = 0;
let checkingLink = false;
let dialogOpener = null;
let focusPending = false;
let newPeers = 0; // fresh peer connections made since the link last worked

// ---- start-up ----

function main() {
  useLanguage(document.documentElement.lang);
  applyStaticStrings();
  state.cookieNotice = !noticeDismissed();
  meter = new MicMeter(onMicLevel);
  wire();
  const token = tokenFromPath(location.pathname);
  if (!token) {
    state.badLink = true;
    update();
    return;
  }
  socket = new Socket(socketURL(token), { open: onSocketOpen, message: onMessage, close: onSocketClose });
  socket.start();
  window.addEventListener('online', () => socket.retryNow());
  window.addEventListener('beforeunload', (e) => {
    if (!state.rec || waiting(state.rec)) return;
    e.preventDefault();
    e.returnValue = ''; // older browsers ask only when this is set
  });
  update();
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

function wire() {
  const on = (el, fn) => el.addEventListener('click', fn);
  on(ui.cookieAccept, acceptCookies);
  ui.privacyAccept.addEventListener('change', update);
  on(ui.privacyContinue, acceptPrivacy);
  ui.detailsForm.addEventListener('submit', submitDetails);
  on(ui.detailsCancel, () => {
    state.editingDetails = false;
    go('questions');
  });
  on(ui.detailsEdit, editDetails);
  ui.questions.addEventListener('click', onQuestionListClick);
  on(ui.submitButton, () => {
    state.missing = null;
    go('submit');
  });
  on(ui.recordBack, leaveRecording);
  on(ui.reviewDone, leaveRecording);
  on(ui.recordPlayQuestion, (e) => playQuestion(state.current, e.currentTarget));
  on(ui.deviceRetry, startCamera);
  on(ui.recordButton, () => beginTake('record'));
  on(ui.retakeButton, () => beginTake('retake'));
  on(ui.prepStartButton, startNow);
  on(ui.cancelButton, cancelCountdown);
  on(ui.stopButton, stopTake);
  on(ui.removeButton, removeTake);
  on(ui.submitBack, () => go('questions'));
  on(ui.confirmButton, confirmSubmit);
  ui.submitMissingList.addEventListener('click', (e) => {
    const button = e.target.closest('button.answer-question');
    if (button) openQuestion(button.dataset.questionId);
  });
  on(ui.questionDialogClose, () => ui.questionDialog.close());
  ui.questionDialog.addEventListener('close', onDialogClosed);
  ui.questionVideo.addEventListener('error', () => {
    if (ui.questionVideo.getAttribute('src')) ui.questionVideoError.hidden = false;
  });
}

// update draws the page, then moves the focus if the screen changed.
function update() {
  render(state);
  if (focusPending) {
    focusPending = false;
    focusScreen(state);
  }
}

// go shows another screen. The focus follows, except on the first screen after loading, where the
// candidate starts at the top of the page.
function go(screen) {
  if (state.screen === screen) return;
  if (state.screen !== 'loading') focusPending = true;
  if (state.screen === 'record') pausePlayers();
  state.screen = screen;
  window.scrollTo(0, 0);
  update();
}

function announce(text, kind = 'info') {
  ui.status.dataset.kind = kind;
  if (ui.status.textContent === text) {
    // The same words again: empty the live region first, or it would not speak.
    ui.status.textContent = '';
    setTimeout(() => {
      ui.status.textContent = text;
    }, 50);
    return;
  }
  ui.status.textContent = text;
}

function clearStatus() {
  ui.status.dataset.kind = 'info';
  ui.status.textContent = '';
}

function send(msg) {
  if (socket && socket.send(msg)) return true;
  announce(t('notConnected'), 'error');
  return false;
}

// ---- socket ----

function onSocketOpen() {
  state.socketOpen = true;
  update();
}

function onSocketClose({ delayMs }) {
  const welcomed = state.welcomed;
  newPeers = 0;
  state.socketOpen = false;
  state.welcomed = false;
  state.retryInMs = delayMs;
  closePeer();
  state.pending = null;
  // The server cuts a take in progress when its socket goes; the next welcome shows what was kept.
  if (state.rec && !waiting(state.rec)) {
    state.cut = { question: state.rec.question, phase: state.rec.phase };
    announce(t('statusConnectionLost'), 'error');
  }
  endTake();
  state.removing = null;
  update();
  if (!welcomed && !state.replaced && !state.revoked) checkLink();
}

// checkLink asks whether the page's own link still opens, after a socket that never got its welcome: the
// server refuses the socket of a withdrawn link (410) or of a candidate deleted since (404), and the browser
// does not say why a socket failed.
async function checkLink() {
  if (checkingLink) return;
  checkingLink = true;
  try {
    const resp = await fetch(location.pathname, { method: 'HEAD', cache: 'no-store' });
    if (resp.status === 410 || resp.status === 404) withdrawn();
  } catch {
    // Unreachable: the socket keeps trying.
  } finally {
    checkingLink = false;
  }
}

// withdrawn shows that the recruiter withdrew the link, and stops trying to reach the interview.
function withdrawn() {
  state.revoked = true;
  socket.stop();
  endTake();
  releaseCamera();
  go('withdrawn');
}

const events = new Map([
  ['welcome', (msg) => applyState(msg, true)],
  ['state', (msg) => applyState(msg, false)],
  ['answer', (msg) => peer && peer.acceptAnswer(msg.sdp)],
  ['candidate', (msg) => peer && peer.addRemoteCandidate(msg.candidate)],
  ['media', onMedia],
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

// ---- the interview's state ----

function applyState(msg, welcome) {
  const answered = state.pending;
  if (welcome) {
    state.welcomed = true;
    state.everWelcomed = true;
    endTake(); // a new socket records nothing yet
    state.removing = null;
    retryPlayback();
  }
  state.pending = null;
  state.stage = stageOf(msg);
  state.interview = interviewOf(msg.interview);
  state.details = stringsOf(msg.details);
  state.questions = (Array.isArray(msg.questions) ? msg.questions : []).map(questionOf);
  state.submittedAt = typeof msg.submittedAt === 'string' ? msg.submittedAt : '';
  state.closesAt = typeof msg.closesAt === 'string' ? msg.closesAt : '';
  state.closed = msg.closed === true;
  scheduleClose();
  if (state.stage === 'submitted') releaseCamera();
  route(answered);
  reportCut();
  maybeStartPeer();
  update();
}

// stageOf reads the stage; a server of the first protocol, without stages, is in stage questions.
function stageOf(msg) {
  const stages = ['privacy', 'details', 'questions', 'submitted'];
  if (stages.includes(msg.stage)) return msg.stage;
  return Array.isArray(msg.questions) ? 'questions' : 'privacy';
}

function interviewOf(iv) {
  const x = iv && typeof iv === 'object' ? iv : {};
  const fields = Array.isArray(x.fields) ? x.fields : [];
  return {
    id: str(x.id),
    title: str(x.title),
    welcome: str(x.welcome),
    privacy: str(x.privacy),
    fields: fields
      .filter((f) => f && typeof f.name === 'string' && f.name !== '')
      .map((f) => ({ name: f.name, label: str(f.label), kind: str(f.kind) || 'text', required: f.required === true })),
  };
}

function questionOf(q, i) {
  return {
    id: String(q.id),
    number: i + 1,
    text: str(q.text),
    required: q.required !== false,
    timeLimitMs: num(q.timeLimitMs),
    retakeLimit: num(q.retakeLimit),
    retakesLeft: Number.isFinite(q.retakesLeft) ? q.retakesLeft : null,
    prepMs: num(q.prepMs),
    videoUrl: str(q.videoUrl),
    take: takeOf(q.take),
  };
}

function takeOf(take) {
  if (!take || typeof take.url !== 'string') return null;
  return {
    n: num(take.n),
    state: take.state === 'submitted' ? 'submitted' : 'draft',
    durationMs: num(take.durationMs),
    url: take.url,
    reason: reasonOf(take),
  };
}

// reasonOf reads why a take ended; the first protocol said only whether it was cut.
function reasonOf(msg) {
  if (['stop', 'limit', 'cut'].includes(msg.reason)) return msg.reason;
  return msg.cut === true ? 'cut' : 'stop';
}

// route shows the screen that belongs to the stage. In stage questions the candidate stays where
// they were (a list, a question, the sending step) as long as that still makes sense.
function route(answered) {
  if (answered === 'accept-privacy' || answered === 'submit') clearStatus();
  switch (state.stage) {
    case 'privacy':
    case 'details':
      state.editingDetails = false;
      go(state.stage);
      return;
    case 'submitted':
      go('done');
      return;
  }
  if (answered === 'details') {
    if (state.editingDetails) announce(t('detailsSaved'), 'success');
    else clearStatus();
    state.editingDetails = false;
    go('questions');
    return;
  }
  const here = state.screen;
  const stays = here === 'questions' || here === 'submit' || (here === 'details' && state.editingDetails);
  if (here === 'record' && question(state.current)) return;
  if (!stays) go('questions');
}

// reportCut tells the candidate what became of a take the connection cut.
function reportCut() {
  const cut = state.cut;
  if (!cut || !state.welcomed || state.stage !== 'questions') return;
  state.cut = null;
  const q = question(cut.question);
  if (!q) return;
  if (q.take) {
    state.notice = null; // the take's reason "cut" says it on the page
    announce(t('savedCut', { n: q.number, duration: formatDuration(q.take.durationMs) }), 'error');
  } else {
    state.notice = { question: q.id, key: 'cutNothing', vars: {} };
    announce(t('cutNothing'), 'error');
  }
}

// ---- the deadline ----

// scheduleClose makes the page close for new takes when the deadline passes while it is open. The server
// is the judge (it refuses a take after the deadline); this only spares the candidate a refusal.
function scheduleClose() {
  clearTimeout(closeTimer);
  closeTimer = 0;
  const at = Date.parse(state.closesAt);
  if (state.closed || !Number.isFinite(at)) return;
  const wait = at - Date.now();
  if (wait > 0) closeTimer = setTimeout(closeNow, Math.min(wait, MAX_TIMEOUT_MS));
}

function closeNow() {
  closeTimer = 0;
  if (Date.now() < Date.parse(state.closesAt)) {
    scheduleClose(); // a wait longer than setTimeout takes
    return;
  }
  state.closed = true;
  // A take being recorded is finished as usual; one still waiting to start does not start.
  if (state.rec && waiting(state.rec)) endTake();
  announce(t('deadlinePassed'));
  update();
  focusRecordControls();
}

// ---- stage commands ----

function acceptCookies() {
  dismissNotice();
  state.cookieNotice = false;
  update();
  focusScreen(state);
}

function acceptPrivacy() {
  if (!ui.privacyAccept.checked || !send({ type: 'accept-privacy' })) return;
  state.pending = 'accept-privacy';
  announce(t('saving'));
  update();
}

function submitDetails(e) {
  e.preventDefault();
  const fields = state.interview ? state.interview.fields : [];
  const values = readValues(ui.detailsForm, fields);
  const first = showProblems(ui.detailsForm, checkValues(fields, values));
  if (first) {
    announce(t('detailsCheck'), 'error');
    first.focus();
    return;
  }
  if (!send({ type: 'details', values })) return;
  state.pending = 'details';
  announce(t('saving'));
  update();
}

function editDetails() {
  state.editingDetails = true;
  fillDetailsForm(state);
  showProblems(ui.detailsForm, {});
  go('details');
}

function confirmSubmit() {
  if (!send({ type: 'submit' })) return;
  state.pending = 'submit';
  announce(t('sendingAnswers'));
  update();
}

// ---- questions ----

function onQuestionListClick(e) {
  const button = e.target.closest('button');
  const li = button && button.closest('li.question');
  if (!li) return;
  if (button.classList.contains('play-question')) playQuestion(li.dataset.questionId, button);
  else if (button.classList.contains('record-response')) openQuestion(li.dataset.questionId);
}

function openQuestion(id) {
  if (!question(id)) return;
  state.current = id;
  go('record');
  // After the deadline the screen only plays drafts back: no camera is needed.
  if (state.camera === 'off' && !state.closed) startCamera();
}

function leaveRecording() {
  if (state.rec) return;
  go('questions');
  // Back on the list, the focus goes to the question the candidate came from.
  const button = ui.questions.querySelector(`li.question[data-question-id="${CSS.escape(state.current || '')}"] .record-response`);
  if (button) button.focus();
}

function playQuestion(id, opener) {
  const q = question(id);
  if (!q || !q.videoUrl || state.rec) return;
  dialogOpener = opener || null;
  ui.questionDialogTitle.textContent = t('questionNumber', { n: q.number });
  ui.questionDialogText.textContent = q.text;
  ui.questionVideo.setAttribute('aria-label', t('questionVideoLabel', { n: q.number }));
  ui.questionVideoError.textContent = t('questionVideoError');
  ui.questionVideoError.hidden = true;
  if (ui.questionVideo.getAttribute('src') !== q.videoUrl) ui.questionVideo.src = q.videoUrl;
  else ui.questionVideo.currentTime = 0;
  ui.questionDialog.showModal();
  ui.questionVideo.play().catch(() => {}); // if the browser will not start it, its controls can
}

function onDialogClosed() {
  ui.questionVideo.pause();
  if (dialogOpener && dialogOpener.isConnected) dialogOpener.focus();
  dialogOpener = null;
}

// ---- camera and microphone ----

async function startCamera() {
  state.camera = 'asking';
  state.problem = '';
  update();
  let fresh;
  try {
    fresh = await openCamera();
  } catch (err) {
    console.warn('takes: getUserMedia', err);
    state.problem = await problemKind(err);
    state.camera = 'failed';
    update();
    return;
  }
  if (state.stage === 'submitted') {
    for (const track of fresh.getTracks()) track.stop();
    return;
  }
  useStream(fresh);
  update();
}

function useStream(fresh) {
  if (stream) for (const track of stream.getTracks()) track.stop();
  stream = fresh;
  for (const track of stream.getTracks()) track.addEventListener('ended', onTrackEnded);
  ui.preview.srcObject = stream;
  ui.preview.play().catch(() => {}); // a muted video may autoplay; if not, the preview just stays still
  state.mic.available = meter.start(stream);
  state.camera = 'on';
  if (peer) peer.replaceStream(stream);
  else maybeStartPeer();
}

function onTrackEnded(e) {
  if (!stream || !stream.getTracks().includes(e.target)) return;
  state.camera = 'failed';
  state.problem = 'stopped';
  meter.stop();
  update();
}

function onMicLevel(level, loud, running) {
  const now = performance.now();
  if (loud) heardAt = now;
  const heard = heardAt > 0 && now - heardAt < HEARD_HOLD_MS;
  const changed = heard !== state.mic.heard || running !== state.mic.running;
  state.mic.level = Math.round(level * 100) / 100;
  state.mic.heard = heard;
  state.mic.running = running;
  renderMic(state);
  if (changed) update();
}

function releaseCamera() {
  closePeer();
  meter.stop();
  if (stream) for (const track of stream.getTracks()) track.stop();
  stream = null;
  ui.preview.srcObject = null;
  state.camera = 'off';
}

// ---- the peer connection ----

// maybeStartPeer connects the camera to the server once there is a camera and the interview is at its
// questions: the server takes no offer before.
function maybeStartPeer() {
  if (peer || !stream || state.camera !== 'on' || state.stage !== 'questions' || !online(state)) return;
  state.mediaReady = false;
  const p = new Peer(stream, (msg) => socket.send(msg), {
    state: (s) => {
      if (p !== peer) return;
      if (s === 'connected') newPeers = 0;
      state.peer = s;
      update();
    },
    giveUp: () => peerGaveUp(p),
  });
  peer = p;
  peer.start();
}

// peerGaveUp replaces a peer connection that ICE restarts could not repair: first with a new one on
// the same socket (the server takes it in place of the old), then with a new socket.
function peerGaveUp(p) {
  if (p !== peer) return;
  if (newPeers >= MAX_NEW_PEERS) {
    newPeers = 0;
    socket.drop(); // the server's peers belong to the socket: a fresh socket brings a fresh pair
    return;
  }
  newPeers++;
  console.warn('takes: the camera link failed; making a new peer connection');
  closePeer();
  maybeStartPeer();
  update();
}

function closePeer() {
  if (peer) peer.close();
  peer = null;
  state.peer = 'none';
  state.mediaReady = false;
}

function onMedia(msg) {
  state.mediaReady = msg.ready !== false;
  update();
}

// ---- takes ----

// beginTake starts the way to a take (record or retake) of the current question: its preparation time,
// if it has one, then the 3, 2, 1 countdown.
function beginTake(type) {
  const q = question(state.current);
  if (!q || !canRecord(state)) return;
  pausePlayers();
  state.notice = null;
  state.rec = { question: q.id, type, phase: 'prep', count: 0, prepEndsAt: 0, startedAt: null, limitMs: 0, warned: [] };
  if (!(q.prepMs > 0)) {
    startCountdown();
    return;
  }
  state.rec.prepEndsAt = performance.now() + q.prepMs;
  announce(t('prepAnnounce', { time: formatDuration(q.prepMs, Math.ceil) }));
  prepTimer = setInterval(prepTick, 250);
  update();
  ui.prepStartButton.focus();
}

function prepTick() {
  const rec = state.rec;
  if (!rec || rec.phase !== 'prep') return;
  if (performance.now() >= rec.prepEndsAt) startCountdown();
  else renderPrep(state);
}

// startNow ends the preparation time early.
function startNow() {
  if (state.rec && state.rec.phase === 'prep') startCountdown();
}

// startCountdown counts 3, 2, 1 for the take begun, then asks the server to record.
function startCountdown() {
  clearInterval(prepTimer);
  prepTimer = 0;
  Object.assign(state.rec, { phase: 'countdown', count: COUNTDOWN_FROM });
  announce(t('countdownStarts'));
  countdownTimer = setInterval(countdownTick, 1000);
  update();
  ui.cancelButton.focus();
}

function countdownTick() {
  const rec = state.rec;
  if (!rec || rec.phase !== 'countdown') return;
  rec.count--;
  if (rec.count > 0) {
    update();
    return;
  }
  clearInterval(countdownTimer);
  countdownTimer = 0;
  if (!send({ type: rec.type, question: rec.question })) {
    endTake();
    update();
    return;
  }
  rec.phase = 'starting';
  announce(t('startingRecording'));
  update();
  ui.stopButton.focus();
}

function cancelCountdown() {
  if (!state.rec || !waiting(state.rec)) return;
  endTake();
  announce(t('countdownCancelled'));
  update();
  focusRecordControls();
}

function stopTake() {
  const rec = state.rec;
  if (!rec || (rec.phase !== 'starting' && rec.phase !== 'recording') || !send({ type: 'stop' })) return;
  rec.phase = 'stopping';
  announce(t('stopping'));
  update();
}

function removeTake() {
  const q = question(state.current);
  if (!q || !q.take) return;
  // With no retake left, a removed take cannot be recorded again: say so first.
  if (q.retakesLeft === 0 && !window.confirm(t('removeLastTake'))) return;
  if (!send({ type: 'remove-take', question: q.id })) return;
  state.removing = q.id;
  update();
}

function onRecording(msg) {
  const q = question(msg.question);
  if (q) q.take = null; // on a retake the server has already deleted the previous take
  const rec = state.rec && state.rec.question === msg.question ? state.rec : null;
  state.rec = {
    question: str(msg.question),
    type: rec ? rec.type : 'record',
    phase: rec && rec.phase === 'stopping' ? 'stopping' : 'recording',
    count: 0,
    startedAt: performance.now(),
    limitMs: num(msg.limitMs),
    warned: [],
  };
  state.notice = null;
  pausePlayers();
  clearInterval(clockTimer);
  clockTimer = setInterval(clockTick, 250);
  announce(t('recordingStarted', { n: q ? q.number : '?' }));
  update();
}

function clockTick() {
  const rec = state.rec;
  if (!rec || rec.startedAt === null) return;
  renderClock(state);
  if (!(rec.limitMs > 0) || rec.phase !== 'recording') return;
  const left = Math.ceil((rec.limitMs - (performance.now() - rec.startedAt)) / 1000);
  for (const seconds of WARN_AT_S) {
    if (left <= seconds && left > 0 && !rec.warned.includes(seconds) && rec.limitMs > seconds * 2000) {
      rec.warned.push(seconds);
      announce(t('timeLeftAnnounce', { seconds }));
    }
  }
  if (left <= 0 && !rec.warned.includes(0)) {
    rec.warned.push(0);
    announce(t('timeUp'));
  }
}

function onSaved(msg) {
  const q = question(msg.question);
  const reason = reasonOf(msg);
  if (q) {
    q.take = { n: num(msg.take), state: 'draft', durationMs: num(msg.durationMs), url: str(msg.url), reason };
    if (Number.isFinite(msg.retakesLeft)) q.retakesLeft = msg.retakesLeft;
  }
  endTake();
  const n = q ? q.number : '?';
  const duration = formatDuration(msg.durationMs);
  // The take's reason is shown beside it; the status line says it once.
  state.notice = null;
  if (reason === 'limit') announce(t('savedLimit', { time: formatDuration(q ? q.timeLimitMs : msg.durationMs), duration }), 'success');
  else if (reason === 'cut') announce(t('savedCut', { n, duration }), 'error');
  else announce(t('saved', { n, duration }), 'success');
  update();
  focusRecordControls();
}

function onRemoved(msg) {
  const q = question(msg.question);
  if (q) q.take = null;
  state.removing = null;
  if (state.notice && state.notice.question === msg.question) state.notice = null;
  announce(t('removed', { n: q ? q.number : '?' }), 'success');
  update();
  focusRecordControls();
}

// endTake forgets the take in progress and its clocks.
function endTake() {
  clearInterval(prepTimer);
  clearInterval(countdownTimer);
  clearInterval(clockTimer);
  prepTimer = countdownTimer = clockTimer = 0;
  state.rec = null;
}

// waiting says whether a take is still in its preparation time or countdown: nothing was asked of the server.
function waiting(rec) {
  return rec.phase === 'prep' || rec.phase === 'countdown';
}

// focusRecordControls keeps keyboard users in the controls when the button they used disappears.
function focusRecordControls() {
  if (state.screen !== 'record') return;
  const active = document.activeElement;
  if (active && active !== document.body && !active.disabled && !active.closest('[hidden]')) return;
  const buttons = [ui.recordButton, ui.stopButton, ui.retakeButton, ui.reviewDone, ui.removeButton, ui.recordBack];
  const next = buttons.find((b) => !b.hidden && !b.disabled) || ui.recordHeading;
  next.focus();
}

// ---- refusals ----

// Codes after which the page's picture of the interview is out of date: a new socket brings a fresh welcome.
const REFRESH = new Set(['wrong-stage', 'unknown-question', 'take-exists', 'no-take', 'submitted']);

function onError(msg) {
  const code = str(msg.code);
  const request = str(msg.request);
  console.warn('takes: refused', request || '(event)', code, msg.message);
  announce(t(has(`error-${code}`) ? `error-${code}` : 'errorGeneric'), 'error');
  if (request && request === state.pending) state.pending = null;
  settleTake(request, code);
  if (code === 'invalid-details') showDetailProblems(msg.fields);
  else if (code === 'missing-answers') showMissing(msg.questions);
  else if (code === 'retake-limit') noRetakesLeft(msg);
  else if (code === 'closed') state.closed = true;
  else if (code === 'revoked') withdrawn();
  else if (code === 'replaced') {
    state.replaced = true;
    socket.stop();
  } else if (code === 'bad-sdp' || code === 'too-large') socket.drop();
  else if (REFRESH.has(code)) socket.drop();
  update();
  focusRecordControls();
}

// settleTake undoes what the page assumed when it sent the refused message.
function settleTake(request, code) {
  const rec = state.rec;
  if (code === 'already-recording' && (request === 'record' || request === 'retake')) {
    // The server is recording something we did not know of: show it, so that it can be stopped.
    if (rec) Object.assign(rec, { phase: 'recording', startedAt: rec.startedAt ?? performance.now() });
    return;
  }
  if (request === 'remove-take') state.removing = null;
  const endsTake =
    request === 'stop' ||
    ((request === 'record' || request === 'retake') && rec && rec.phase === 'starting') ||
    (!request && (code === 'write-failed' || code === 'empty-take'));
  if (endsTake) endTake();
}

function showDetailProblems(fields) {
  const problems = stringsOf(fields);
  const first = showProblems(ui.detailsForm, problems);
  if (first && state.screen === 'details') first.focus();
}

function showMissing(ids) {
  state.missing = Array.isArray(ids) ? ids.map(String) : [];
  go('submit');
}

function noRetakesLeft(msg) {
  const q = question(msg.question) || question(state.current);
  if (q && q.retakeLimit !== 0) q.retakesLeft = 0;
}

// ---- helpers ----

function question(id) {
  return state.questions.find((q) => q.id === id) || null;
}

function str(v) {
  return typeof v === 'string' ? v : '';
}

function num(v) {
  return Number.isFinite(v) ? v : 0;
}

function stringsOf(obj) {
  const out = {};
  if (!obj || typeof obj !== 'object') return out;
  for (const [k, v] of Object.entries(obj)) if (typeof v === 'string') out[k] = v;
  return out;
}

main();
