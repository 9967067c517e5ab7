// Drawing the page from the state (see candidate.js). Nothing here sends anything; render() may be
// called as often as wanted, and changes only what differs.
import { t } from './strings.js';
import { byId, h, setText, show, setData, formatDuration, formatDateTime } from './dom.js';
import { buildFields } from './details.js';

export const ui = Object.fromEntries(
  [
    'cookie-notice', 'cookie-accept', 'title', 'connection', 'connection-text', 'status', 'main',
    'screen-loading', 'screen-privacy', 'screen-details', 'screen-questions', 'screen-record', 'screen-submit',
    'screen-done', 'welcome-text', 'privacy-text', 'privacy-accept', 'privacy-hint', 'privacy-continue',
    'details-form', 'details-intro', 'details-fields', 'details-cancel', 'details-submit', 'progress', 'questions',
    'no-questions', 'details-summary', 'details-list', 'details-edit', 'submit-button', 'record-back',
    'record-heading', 'record-question-text', 'record-limits', 'record-play-question', 'stage', 'preview',
    'countdown', 'rec-badge', 'rec-badge-text', 'timers', 'elapsed', 'remaining', 'remaining-row', 'review',
    'player-slot', 'take-info', 'take-notice', 'take-notice-text', 'device-problem', 'device-problem-title',
    'device-problem-text', 'device-problem-steps', 'device-retry', 'device-check', 'camera-state', 'mic-level',
    'mic-hint', 'record-button', 'cancel-button', 'stop-button', 'retake-button', 'remove-button', 'review-done',
    'submit-summary', 'submit-missing', 'submit-missing-list', 'submit-optional', 'submit-optional-list',
    'submit-back', 'confirm-button', 'done-time', 'question-dialog', 'question-dialog-title',
    'question-dialog-text', 'question-video', 'question-video-error', 'question-dialog-close', 'deadline',
    'deadline-text', 'screen-withdrawn', 'prep-clock', 'prep-start-button', 'submit-closed-missing',
  ].map((id) => [id.replace(/-(\w)/g, (_, c) => c.toUpperCase()), byId(id)]),
);

const SCREENS = ['loading', 'privacy', 'details', 'questions', 'record', 'submit', 'done', 'withdrawn'];

export function applyStaticStrings() {
  document.title = t('documentTitle');
  for (const el of document.querySelectorAll('[data-text]')) el.textContent = t(el.dataset.text);
  for (const el of document.querySelectorAll('[data-label]')) el.setAttribute('aria-label', t(el.dataset.label));
}

let drawnQuestions = '';
let drawnFields = '';
let player = null;
let failedUrl = ''; // a take the player could not play
let lastState = null;

export function render(state) {
  lastState = state;
  renderHeader(state);
  renderDeadline(state);
  show(ui.cookieNotice, state.cookieNotice);
  for (const name of SCREENS) show(ui[`screen${name[0].toUpperCase()}${name.slice(1)}`], state.screen === name);
  renderPrivacy(state);
  renderDetails(state);
  renderQuestions(state);
  renderRecord(state);
  renderSubmit(state);
  renderDone(state);
}

// focusScreen moves the focus to the heading of the screen shown, so that keyboard and screen reader
// users start there.
export function focusScreen(state) {
  const heading = document.querySelector(`#screen-${state.screen} h2[tabindex]`);
  if (heading) heading.focus({ preventScroll: false });
}

// ---- header ----

function renderHeader(state) {
  const title = state.interview ? state.interview.title : '';
  setText(ui.title, title || t('loadingTitle'));
  document.title = title ? t('documentTitleWithName', { title }) : t('documentTitle');
  const [kind, text] = connectionInfo(state);
  setData(ui.connection, 'state', kind);
  setText(ui.connectionText, text);
}

function connectionInfo(state) {
  if (state.badLink) return ['error', t('connBadLink')];
  if (state.revoked) return ['error', t('connWithdrawn')];
  if (state.replaced) return ['error', t('connReplaced')];
  if (!state.socketOpen && state.retryInMs > 0) {
    const seconds = Math.max(1, Math.round(state.retryInMs / 1000));
    return state.everWelcomed ? ['lost', t('connLost', { seconds })] : ['error', t('connCannotReach', { seconds })];
  }
  if (!state.socketOpen || !state.welcomed) {
    return state.everWelcomed ? ['lost', t('connReconnecting')] : ['connecting', t('connConnecting')];
  }
  if (state.peer === 'connecting') return ['connecting', t('connCameraConnecting')];
  if (state.peer === 'lost' || state.peer === 'restarting') return ['lost', t('connCameraRestarting')];
  return ['connected', t('connConnected')];
}

export function online(state) {
  return state.socketOpen && state.welcomed;
}

// ---- the deadline ----

// renderDeadline says until when answers are taken, or that they no longer are. Drafts may still be sent
// after the deadline: the server refuses only new recordings.
function renderDeadline(state) {
  const visible = (state.closed || state.closesAt !== '') && !state.revoked && state.stage !== '' && state.stage !== 'submitted';
  show(ui.deadline, visible);
  if (!visible) return;
  setData(ui.deadline, 'closed', String(state.closed));
  let text = t('deadlineBy', { time: formatDateTime(state.closesAt) });
  if (state.closed) {
    const drafts = state.questions.some((q) => q.take && q.take.state === 'draft');
    text = drafts ? `${t('deadlinePassed')} ${t('deadlineSendDrafts')}` : t('deadlinePassed');
  }
  setText(ui.deadlineText, text);
}

// ---- privacy ----

function renderPrivacy(state) {
  if (state.screen !== 'privacy' || !state.interview) return;
  const { welcome, privacy } = state.interview;
  setText(ui.welcomeText, welcome);
  show(ui.welcomeText, welcome !== '');
  setText(ui.privacyText, privacy || t('privacyMissing'));
  const ticked = ui.privacyAccept.checked;
  show(ui.privacyHint, !ticked);
  ui.privacyContinue.disabled = !ticked || state.pending === 'accept-privacy' || !online(state);
}

// ---- details ----

function renderDetails(state) {
  if (!state.interview) return;
  const fields = state.interview.fields;
  // The form is built once per set of fields, so that a reconnection does not lose what was typed.
  if (JSON.stringify(fields) !== drawnFields) fillDetailsForm(state);
  setText(ui.detailsIntro, fields.length === 0 ? t('detailsNoFields') : t('detailsIntro'));
  show(ui.detailsCancel, state.editingDetails);
  setText(ui.detailsSubmit, state.editingDetails ? t('detailsSave') : t('continue'));
  ui.detailsSubmit.disabled = state.pending === 'details' || !online(state);
}

// fillDetailsForm builds the details form afresh, filled with the details the server has.
export function fillDetailsForm(state) {
  const fields = state.interview ? state.interview.fields : [];
  ui.detailsFields.replaceChildren(...buildFields(fields, state.details));
  drawnFields = JSON.stringify(fields);
}

// ---- questions ----

function renderQuestions(state) {
  const key = JSON.stringify(state.questions.map((q) => [q.id, q.text, q.videoUrl, q.required]));
  if (key !== drawnQuestions) {
    ui.questions.replaceChildren(...state.questions.map(questionItem));
    drawnQuestions = key;
  }
  show(ui.noQuestions, state.questions.length === 0 && state.stage === 'questions');
  const answered = state.questions.filter((q) => q.take).length;
  setText(ui.progress, state.questions.length ? t('progress', { answered, total: state.questions.length }) : '');
  for (const li of ui.questions.children) updateQuestionItem(li, state);
  renderDetailsSummary(state);
  ui.submitButton.disabled = !online(state) || state.rec !== null;
  // After the deadline, sending is left only to a candidate who has something to send.
  show(ui.submitButton, !state.closed || answered > 0);
}

function questionItem(q) {
  const id = `q-${q.number}`;
  return h(
    'li',
    { className: 'question', dataset: { questionId: q.id, state: 'none' }, 'aria-labelledby': `${id}-title` },
    h(
      'div',
      { className: 'question-head' },
      h('h3', { id: `${id}-title`, className: 'question-number' }, t('questionNumber', { n: q.number })),
      h('span', { className: 'tag' }, q.required ? t('questionRequired') : t('questionOptional')),
    ),
    h('p', { className: 'question-text prose' }, q.text),
    h('p', { className: 'question-meta muted' }),
    h(
      'p',
      { className: 'question-state', id: `${id}-state` },
      h('span', { className: 'state-icon', 'aria-hidden': 'true' }),
      h('span', { className: 'state-text' }),
    ),
    h(
      'div',
      { className: 'question-actions' },
      q.videoUrl
        ? h(
            'button',
            { type: 'button', className: 'button play-question', 'aria-describedby': `${id}-title` },
            h('span', { className: 'play-icon', 'aria-hidden': 'true' }, '▶'),
            ' ',
            h('span', {}, t('playQuestion')),
          )
        : null,
      h('button', {
        type: 'button',
        className: 'button primary record-response',
        'aria-describedby': `${id}-title ${id}-state`,
      }),
    ),
  );
}

function updateQuestionItem(li, state) {
  const q = state.questions.find((x) => x.id === li.dataset.questionId);
  if (!q) return;
  const [kind, text] = questionState(q, state);
  setData(li, 'state', kind);
  setText(li.querySelector('.state-text'), text);
  setText(li.querySelector('.question-meta'), questionMeta(q));
  const button = li.querySelector('.record-response');
  setText(button, q.take ? t('reviewResponse') : t('recordResponse'));
  button.classList.toggle('primary', !q.take);
  show(button, Boolean(q.take) || !state.closed);
}

export function questionState(q, state) {
  const rec = state.rec;
  if (rec && rec.question === q.id) {
    const texts = {
      prep: ['preparing', 'statePreparing'],
      countdown: ['countdown', 'stateCountdown'],
      starting: ['starting', 'stateStarting'],
      recording: ['recording', 'stateRecording'],
      stopping: ['stopping', 'stateStopping'],
    };
    const [kind, key] = texts[rec.phase];
    return [kind, t(key)];
  }
  if (!q.take) return ['none', t('stateNone')];
  const duration = formatDuration(q.take.durationMs);
  return q.take.state === 'submitted' ? ['submitted', t('stateSubmitted', { duration })] : ['draft', t('stateDraft', { duration })];
}

function questionMeta(q) {
  const parts = [];
  if (q.timeLimitMs > 0) parts.push(t('questionTimeLimit', { time: formatDuration(q.timeLimitMs) }));
  if (q.prepMs > 0) parts.push(t('questionPrepTime', { time: formatDuration(q.prepMs, Math.ceil) }));
  if (q.retakeLimit < 0) parts.push(t('questionNoRetakes'));
  else if (q.retakeLimit > 0 && q.retakesLeft !== null) parts.push(t('questionRetakes', { left: q.retakesLeft, limit: q.retakeLimit }));
  return parts.join(' · ');
}

function renderDetailsSummary(state) {
  const fields = state.interview ? state.interview.fields : [];
  const filled = fields.filter((f) => state.details[f.name]);
  show(ui.detailsSummary, state.stage === 'questions' && fields.length > 0);
  const key = JSON.stringify(filled.map((f) => [f.label, state.details[f.name]]));
  if (ui.detailsList.dataset.key === key) return;
  ui.detailsList.dataset.key = key;
  ui.detailsList.replaceChildren(
    ...filled.flatMap((f) => [h('dt', {}, f.label || f.name), h('dd', {}, state.details[f.name])]),
  );
}

// ---- recording ----

function renderRecord(state) {
  const q = state.questions.find((x) => x.id === state.current);
  if (state.screen !== 'record' || !q) {
    showPlayer(null);
    return;
  }
  const rec = state.rec && state.rec.question === q.id ? state.rec : null;
  setText(ui.recordHeading, t('questionOf', { n: q.number, total: state.questions.length }));
  setText(ui.recordQuestionText, q.text);
  setText(ui.recordLimits, recordLimits(q));
  renderPrep(state);
  show(ui.recordPlayQuestion, q.videoUrl !== '');
  ui.recordPlayQuestion.disabled = state.rec !== null;
  ui.recordBack.disabled = state.rec !== null;

  const reviewing = !rec && q.take !== null;
  show(ui.stage, !reviewing && !(state.closed && !rec)); // after the deadline, no camera
  show(ui.review, reviewing);
  showPlayer(reviewing ? q : null);
  if (reviewing) {
    const vars = { take: q.take.n, duration: formatDuration(q.take.durationMs) };
    setText(ui.takeInfo, t(q.take.state === 'submitted' ? 'takeInfoSubmitted' : 'takeInfo', vars));
  }
  renderNotice(state, q);
  renderStage(state, rec);
  renderDevices(state, reviewing);
  renderRecordButtons(state, q, rec);
}

function recordLimits(q) {
  const parts = [q.timeLimitMs > 0 ? t('timeLimit', { time: formatDuration(q.timeLimitMs) }) : t('noTimeLimit')];
  if (q.prepMs > 0) parts.push(t('prepTime', { time: formatDuration(q.prepMs, Math.ceil) }));
  if (q.retakeLimit < 0) parts.push(t('retakesNone'));
  else if (!(q.retakeLimit > 0) || q.retakesLeft === null) parts.push(t('retakesUnlimited'));
  else if (q.retakesLeft > 0) parts.push(t('retakesLeft', { left: q.retakesLeft, limit: q.retakeLimit }));
  else parts.push(t('noRetakesLeft', { limit: q.retakeLimit }));
  return parts.join(' ');
}

function renderNotice(state, q) {
  const notice = state.notice && state.notice.question === q.id ? state.notice : null;
  let text = notice ? t(notice.key, notice.vars) : '';
  if (!text && q.take && !state.rec && q.take.url === failedUrl) text = t('playbackError');
  // A take cut or ended by its limit in an earlier visit still says so.
  if (!text && q.take && !state.rec) {
    if (q.take.reason === 'cut') text = t('reasonCut');
    else if (q.take.reason === 'limit') text = t('reasonLimit');
  }
  setText(ui.takeNoticeText, text);
  show(ui.takeNotice, text !== '');
}

function renderStage(state, rec) {
  setText(ui.countdown, rec && rec.phase === 'countdown' ? String(rec.count) : '');
  ui.countdown.classList.toggle('active', Boolean(rec && rec.phase === 'countdown'));
  const badge = rec && rec.phase !== 'countdown' && rec.phase !== 'prep';
  show(ui.recBadge, Boolean(badge));
  if (badge) {
    setData(ui.recBadge, 'phase', rec.phase);
    const texts = { starting: 'startingBadge', recording: 'recordingBadge', stopping: 'savingBadge' };
    setText(ui.recBadgeText, t(texts[rec.phase]));
  }
  show(ui.timers, Boolean(rec && rec.startedAt !== null));
  renderClock(state);
}

// renderPrep draws the time left to prepare before the recording starts by itself.
export function renderPrep(state) {
  const rec = state.rec;
  const preparing = Boolean(rec && rec.phase === 'prep' && rec.question === state.current);
  show(ui.prepClock, preparing);
  if (preparing) setText(ui.prepClock, t('prepClock', { time: formatDuration(rec.prepEndsAt - performance.now(), Math.ceil) }));
}

// renderClock draws the elapsed and remaining time of the take in progress.
export function renderClock(state) {
  const rec = state.rec;
  if (!rec || rec.startedAt === null) return;
  const elapsed = performance.now() - rec.startedAt;
  setText(ui.elapsed, formatDuration(elapsed, Math.floor));
  show(ui.remainingRow, rec.limitMs > 0);
  if (rec.limitMs > 0) setText(ui.remaining, formatDuration(rec.limitMs - elapsed, Math.ceil));
}

function renderDevices(state, reviewing) {
  const failed = state.camera === 'failed';
  show(ui.deviceProblem, failed);
  if (failed) {
    const name = problemName(state.problem);
    setText(ui.deviceProblemTitle, t(`problem${name}Title`));
    setText(ui.deviceProblemText, t(`problem${name}Text`));
    setText(ui.deviceProblemSteps, t('whatToDo', { steps: t(`problem${name}Steps`) }));
  }
  show(ui.deviceCheck, !failed && !reviewing && state.camera !== 'off' && !(state.closed && !state.rec));
  // While recording, only the meter stays: the advice is for before.
  ui.deviceCheck.classList.toggle('recording', state.rec !== null);
  setText(ui.cameraState, cameraStateText(state));
  renderMic(state);
}

function problemName(kind) {
  const names = {
    blocked: 'Blocked', 'no-camera': 'NoCamera', 'no-microphone': 'NoMicrophone', 'no-devices': 'NoDevices',
    busy: 'Busy', constraints: 'Constraints', insecure: 'Insecure', stopped: 'Stopped',
  };
  return names[kind] || 'Other';
}

function cameraStateText(state) {
  if (state.camera === 'asking') return t('cameraAsking');
  if (state.camera !== 'on' || state.rec) return '';
  if (!state.mediaReady || state.peer !== 'connected') return t('cameraConnecting');
  const q = state.questions.find((x) => x.id === state.current);
  return q && q.take ? t('cameraReadyRetake') : t('cameraReady');
}

// renderMic draws the microphone level and says in words whether a voice is heard.
export function renderMic(state) {
  const mic = state.mic;
  if (ui.micLevel.value !== mic.level) ui.micLevel.value = mic.level;
  show(ui.micLevel.parentElement, mic.available);
  let hint = t('micUnavailable');
  if (mic.available && !mic.running) hint = t('micWaiting');
  else if (mic.available) hint = mic.heard ? t('micHeard') : t('micSilent');
  setText(ui.micHint, state.camera === 'on' ? hint : '');
  setData(ui.micHint, 'heard', String(mic.heard));
}

function renderRecordButtons(state, q, rec) {
  const ready = canRecord(state);
  const draft = q.take !== null && q.take.state === 'draft';
  const waiting = Boolean(rec && (rec.phase === 'prep' || rec.phase === 'countdown')); // nothing sent yet
  show(ui.recordButton, !rec && !q.take && !state.closed);
  ui.recordButton.disabled = !ready;
  show(ui.prepStartButton, Boolean(rec && rec.phase === 'prep'));
  show(ui.cancelButton, waiting);
  show(ui.stopButton, Boolean(rec) && !waiting);
  ui.stopButton.disabled = !(rec && (rec.phase === 'starting' || rec.phase === 'recording') && online(state));
  show(ui.retakeButton, !rec && q.take !== null && !state.closed);
  ui.retakeButton.disabled = !(ready && draft && q.retakesLeft !== 0);
  show(ui.removeButton, !rec && q.take !== null);
  ui.removeButton.disabled = !(online(state) && draft && state.removing === null);
  show(ui.reviewDone, !rec && q.take !== null);
}

// canRecord says whether a take can start now: the server has the camera's media, nothing else is going on,
// and the deadline has not passed.
export function canRecord(state) {
  return (
    online(state) &&
    !state.closed &&
    state.stage === 'questions' &&
    state.camera === 'on' &&
    state.peer === 'connected' &&
    state.mediaReady &&
    state.rec === null &&
    state.removing === null
  );
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
  player = h('video', {
    id: 'playback',
    className: 'video playback',
    controls: true,
    preload: 'metadata',
    playsInline: true,
    dataset: { url },
    'aria-label': t('playbackLabel', { n: q.number }),
  });
  const el = player;
  el.addEventListener('error', () => {
    // Taking an old player down empties it, which some browsers report as an error too.
    if (el !== player || !el.getAttribute('src')) return;
    console.warn('takes: cannot play', url, el.error && el.error.code, el.error && el.error.message);
    failedUrl = url;
    if (lastState) render(lastState);
  });
  el.src = url;
  ui.playerSlot.append(player);
}

// retryPlayback loads a take again that could not be played, for example while the server was away.
export function retryPlayback() {
  if (!failedUrl) return;
  failedUrl = '';
  if (player && player.error) player.load();
}

// pausePlayers stops every video with sound, so that it does not reach the microphone.
export function pausePlayers() {
  if (player) player.pause();
  ui.questionVideo.pause();
}

// ---- submitting ----

function renderSubmit(state) {
  if (state.screen !== 'submit') return;
  const total = state.questions.length;
  const answered = state.questions.filter((q) => q.take).length;
  setText(ui.submitSummary, t('submitSummary', { answered, total }));
  const missingIds = state.missing ?? state.questions.filter((q) => q.required && !q.take).map((q) => q.id);
  const missing = state.questions.filter((q) => missingIds.includes(q.id));
  const optional = state.questions.filter((q) => !q.required && !q.take);
  // After the deadline a missing answer can no longer be recorded: no button leads to it.
  drawList(ui.submitMissingList, missing, (q) => [
    h('span', {}, t('submitMissingQuestion', { n: q.number, text: q.text })),
    ' ',
    state.closed
      ? null
      : h('button', { type: 'button', className: 'button answer-question', dataset: { questionId: q.id } }, t('answerQuestion', { n: q.number })),
  ], String(state.closed));
  show(ui.submitMissing, missing.length > 0);
  show(ui.submitClosedMissing, state.closed);
  drawList(ui.submitOptionalList, optional, (q) => [t('submitMissingQuestion', { n: q.number, text: q.text })]);
  show(ui.submitOptional, optional.length > 0);
  ui.confirmButton.disabled = !online(state) || state.pending === 'submit' || state.rec !== null;
}

function drawList(list, questions, item, variant = '') {
  const key = `${variant} ${questions.map((q) => q.id).join(' ')}`;
  if (list.dataset.key === key) return;
  list.dataset.key = key;
  list.replaceChildren(...questions.map((q) => h('li', {}, ...item(q))));
}

// ---- done ----

function renderDone(state) {
  if (state.screen !== 'done') return;
  const time = state.submittedAt ? formatDateTime(state.submittedAt) : '';
  setText(ui.doneTime, time ? t('doneTime', { time }) : '');
}
