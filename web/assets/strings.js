// Every text the candidate can see or hear, in one place so that it can be translated.
// "{name}" marks a value filled in by t(); keep those marks when translating.
export const strings = {
  documentTitle: 'Your interview',
  documentTitleWithName: '{title} — your interview',
  loadingTitle: 'Loading your interview…',
  questionsHeading: 'Questions',
  cameraHeading: 'Camera',
  answerHeading: 'Your answer',
  previewLabel: 'Your camera preview',
  controlsLabel: 'Recording controls',

  record: 'Record',
  stop: 'Stop',
  retake: 'Retake',
  removeTake: 'Remove take',
  cameraRetry: 'Try the camera again',

  noQuestions: 'This interview has no questions yet.',
  questionNumber: 'Question {n}',
  questionOf: 'Question {n} of {total}',
  noQuestionSelected: 'Choose a question from the list.',

  stateNone: 'No answer yet',
  stateStarting: 'Starting…',
  stateRecording: 'Recording',
  stateSaving: 'Saving…',
  stateSaved: 'Saved · {duration}',
  stateSubmitted: 'Submitted · {duration}',

  indicatorStarting: 'Starting…',
  indicatorRecording: 'Recording',
  indicatorRecordingOther: 'Recording question {n}',
  indicatorSaving: 'Saving…',
  elapsedLabel: 'Time recorded',

  takeNone: 'No answer recorded yet.',
  takeStarting: 'Getting ready to record…',
  takeRecording: 'Recording your answer…',
  takeSaving: 'Saving your answer…',
  takeSaved: 'Saved — {duration} (take {take})',
  takeSubmitted: 'Submitted — {duration} (take {take})',
  takeCut: 'The recording ended early because the connection dropped.',
  playbackLabel: 'Your recorded answer to question {n}',

  connecting: 'Connecting…',
  waitingForCamera: 'Waiting for camera and microphone…',
  connectingCamera: 'Connecting camera…',
  connected: 'Connected',
  connectionLost: 'Connection lost — reconnecting…',
  connectionLostRetry: 'Connection lost — reconnecting… (next try in {seconds} s)',
  cannotReach: 'Cannot reach the interview — trying again in {seconds} s. If this keeps happening, check your link.',
  cameraUnavailable: 'Camera not available',
  badLink: 'This link is incomplete. Please open the link from your invitation again.',

  cameraInsecure: 'This page cannot use the camera here. Open it with an https:// address.',
  cameraBlocked: 'Camera and microphone access is blocked. Allow it in your browser’s settings for this site, then try again.',
  cameraNotFound: 'No camera or microphone was found. Connect one, then try again.',
  cameraBusy: 'The camera or microphone is in use by another app. Close that app, then try again.',
  cameraFailed: 'The camera and microphone could not be started. Please try again.',
  cameraStopped: 'The camera or microphone stopped. Check that it is connected, then try again.',

  announceRecording: 'Recording question {n}.',
  announceSaved: 'Saved question {n} ({duration}).',
  announceSavedCut: 'Saved question {n} ({duration}). The recording ended early because the connection dropped.',
  announceRemoved: 'Removed the take of question {n}.',
  errorGeneric: 'Something went wrong. Please try again.',
  notConnected: 'Not connected to the server yet. Please wait a moment.',
};

// t returns the string under key with each "{name}" replaced by vars[name].
export function t(key, vars = {}) {
  const text = Object.hasOwn(strings, key) ? strings[key] : key;
  return text.replace(/\{(\w+)\}/g, (mark, name) => (Object.hasOwn(vars, name) ? String(vars[name]) : mark));
}
