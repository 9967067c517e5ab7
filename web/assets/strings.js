// Every text the candidate can see or hear, in one place so that it can be translated: one object per
// language. "{name}" marks a value filled in by t(); keep those marks when translating. Button labels
// follow the product's help page for candidates word for word.
const en = {
  // The document and the header
  documentTitle: 'Your interview',
  documentTitleWithName: '{title} — your interview',
  loadingTitle: 'Your interview',
  loadingText: 'Loading your interview…',

  // Connection
  connConnecting: 'Connecting…',
  connConnected: 'Connected',
  connLost: 'Connection lost. Reconnecting… (next try in {seconds} s)',
  connReconnecting: 'Reconnecting…',
  connCameraConnecting: 'Connected. Connecting your camera…',
  connCameraRestarting: 'Camera connection interrupted. Reconnecting…',
  connCannotReach: 'Cannot reach the interview. Trying again in {seconds} s. Check your internet connection.',
  connBadLink: 'This link is incomplete. Please open the link from your invitation again.',
  statusConnectionLost: 'The connection was lost while recording. What reached us is kept as a draft. Reconnecting…',
  connReplaced: 'Opened in another window. Reload this page to continue here.',
  notConnected: 'Not connected right now. Please wait a moment while we reconnect.',
  connWithdrawn: 'This interview link was withdrawn.',

  // The deadline, and a withdrawn link
  deadlineBy: 'Please send your answers by {time}.',
  deadlinePassed: 'The deadline for this interview has passed. You can no longer record answers.',
  deadlineSendDrafts: 'You can still send the answers you have already recorded.',
  withdrawnHeading: 'This interview link was withdrawn.',
  withdrawnText: 'If you think this is a mistake, contact the person who invited you.',

  // Cookie notice
  cookieHeading: 'Cookies',
  cookieText:
    'This site uses only strictly necessary cookies: the ones it needs to work, and one that remembers that you have seen this notice. There are no tracking, analytics or advertising cookies.',
  cookieAccept: 'OK',

  // Privacy policy
  privacyHeading: 'Privacy policy',
  privacyIntro: 'Please read and accept the privacy policy before you give us your details. You will see the questions after that.',
  privacyTextLabel: 'Privacy policy text',
  privacyMissing: 'The recruiter has not added a privacy policy to this interview.',
  privacyAccept: 'I have read and accept the privacy policy.',
  privacyTickFirst: 'Tick the box above to continue.',
  continue: 'Continue',
  saving: 'Saving…',

  // Personal details
  detailsHeading: 'Your details',
  detailsIntro: 'Fields marked with * are required.',
  detailsNoFields: 'This interview asks for no personal details.',
  detailsRequired: '(required)',
  detailsSave: 'Save details',
  detailsCancel: 'Cancel',
  detailsCheck: 'Please check the marked fields.',
  detailsSaved: 'Your details are saved.',
  fieldRequired: 'Please fill in this field.',
  fieldTooLong: 'Use at most {max} characters.',
  fieldEmail: 'Enter an email address, like name@example.com.',
  fieldTel: 'Enter a phone number with 6 to 20 digits. You may use spaces and + - ( ).',
  yourDetails: 'Your details',
  editDetails: 'Edit details',

  // Questions
  questionsHeading: 'Questions',
  questionsIntro:
    'Answer the questions in any order. Each answer is kept as a draft that only you can see until you send your answers. You can leave and come back later through the same link.',
  noQuestions: 'This interview has no questions.',
  progress: '{answered} of {total} questions answered.',
  questionNumber: 'Question {n}',
  questionOf: 'Question {n} of {total}',
  questionRequired: 'Required',
  questionOptional: 'Optional',
  questionTimeLimit: 'Time limit: {time}',
  questionRetakes: 'Retakes left: {left} of {limit}',
  questionNoRetakes: 'One take only',
  questionPrepTime: 'Preparation time: {time}',
  stateNone: 'Not answered',
  stateDraft: 'Draft saved ({duration})',
  stateSubmitted: 'Submitted ({duration})',
  statePreparing: 'Preparing…',
  stateCountdown: 'Getting ready…',
  stateStarting: 'Starting…',
  stateRecording: 'Recording…',
  stateStopping: 'Saving…',
  recordResponse: 'Record your response',
  reviewResponse: 'Review your response',
  playQuestion: 'Play question',
  submitButton: 'Send answers and close interview',

  // The question video
  questionVideoLabel: 'Video of question {n}',
  questionVideoError: 'The video of this question could not be played. Please try again; the question is also written above.',
  close: 'Close',

  // Recording
  backToQuestions: 'Back to questions',
  deviceCheckHeading: 'Check your camera and microphone',
  deviceCheckHint: 'Check that you can see yourself and that the microphone bar moves when you speak. Then press "Record".',
  previewLabel: 'Your camera',
  micLevelLabel: 'Microphone level',
  micHeard: '✓ We can hear you.',
  micSilent: 'No sound yet: say something. If the bar does not move, check that your microphone is not muted.',
  micUnavailable: 'This browser cannot show the microphone level.',
  micWaiting: 'Click or tap anywhere on the page to show the microphone level.',
  cameraAsking: 'Asking for your camera and microphone… If your browser asks, choose "Allow".',
  cameraConnecting: 'Connecting your camera and microphone to the interview…',
  cameraReady: 'Camera and microphone are ready. Press "Record" when you are.',
  cameraReadyRetake: 'Camera and microphone are ready.',
  timeLimit: 'Time limit: {time}. The recording stops by itself when the time is up.',
  noTimeLimit: 'No time limit.',
  prepTime: 'Preparation time: {time}. When you press "Record", you get this time to prepare; then recording starts by itself.',
  retakesLeft: 'Retakes left: {left} of {limit}.',
  noRetakesLeft: 'No retakes left for this question.',
  retakesUnlimited: 'You can retake your answer as often as you like.',
  retakesNone: 'You have one take for this question: there are no retakes.',
  record: 'Record',
  stop: 'Stop',
  retake: 'Retake',
  removeTake: 'Remove take',
  removeLastTake: 'You have no retakes left for this question: once removed, you cannot record it again. Remove this take?',
  cancel: 'Cancel',
  countdownStarts: 'Recording starts in 3 seconds.',
  prepClock: 'Recording starts in {time}',
  prepStartNow: 'Start recording now',
  prepAnnounce: 'You have {time} to prepare. Recording starts by itself when the time is up, or press "Start recording now".',
  countdownCancelled: 'Cancelled. Nothing was recorded.',
  recordingBadge: 'Recording',
  startingBadge: 'Starting…',
  savingBadge: 'Saving…',
  elapsedLabel: 'Recorded',
  remainingLabel: 'Time left',
  recordingStarted: 'Recording question {n}. Press "Stop" when you are done.',
  timeLeftAnnounce: '{seconds} seconds left.',
  timeUp: 'Time is up. Saving your answer…',
  stopping: 'Saving your answer…',
  startingRecording: 'Starting the recording…',
  saved: 'Saved. Your answer to question {n} is kept as a draft ({duration}).',
  savedLimit: 'Saved. The time limit of {time} ended the recording; everything up to then is kept as a draft ({duration}).',
  savedCut: 'The connection dropped during the recording of question {n}. What reached us is kept as a draft ({duration}); watch it back, and retake it if it is incomplete.',
  cutNothing: 'The connection dropped while you were recording, and nothing of that take reached us. Please record your answer again.',
  removed: 'The take for question {n} was removed.',
  playbackLabel: 'Your answer to question {n}',
  takeInfo: 'Take {take} · {duration} · draft saved',
  takeInfoSubmitted: 'Take {take} · {duration} · submitted',
  draftExplain: 'Only you can see this draft until you send your answers. Watch it back, then retake it, remove it, or leave it as it is.',
  reasonLimit: 'The time limit ended this recording; everything up to then is kept.',
  reasonCut: 'This recording was cut short because the connection dropped. What reached us is kept as a draft: watch it back, and retake it if it is incomplete.',
  playbackError: 'This recording could not be played here. It is still saved; try reloading the page.',

  // Camera and microphone problems
  tryAgain: 'Try again',
  whatToDo: 'What to do: {steps}',
  problemBlockedTitle: 'Camera and microphone are blocked',
  problemBlockedText: 'Your browser is not letting this page use your camera and microphone.',
  problemBlockedSteps:
    'Click the camera icon or the site settings icon (the padlock) in the address bar, set Camera and Microphone to "Allow", then press "Try again". On a phone, also check in the phone’s settings that your browser may use the camera and microphone.',
  problemNoCameraTitle: 'No camera found',
  problemNoCameraText: 'Your browser found no camera on this device.',
  problemNoCameraSteps: 'Connect a camera, or open your invitation link on a device that has one, then press "Try again".',
  problemNoMicrophoneTitle: 'No microphone found',
  problemNoMicrophoneText: 'Your browser found no microphone on this device.',
  problemNoMicrophoneSteps: 'Connect a microphone or a headset, then press "Try again".',
  problemNoDevicesTitle: 'No camera or microphone found',
  problemNoDevicesText: 'Your browser found no camera or no microphone on this device. You need both to answer.',
  problemNoDevicesSteps: 'Connect a camera and a microphone (or a headset), or use a device that has both, then press "Try again".',
  problemBusyTitle: 'The camera or microphone is in use',
  problemBusyText: 'Another app or browser tab is using your camera or microphone, or the device did not start.',
  problemBusySteps:
    'Close other apps that may use the camera (a video call, for example) and other tabs with this interview, then press "Try again". If that does not help, unplug and reconnect the camera, or restart your browser.',
  problemConstraintsTitle: 'The camera could not start',
  problemConstraintsText: 'Your camera cannot give the picture this page asks for.',
  problemConstraintsSteps: 'Press "Try again". If it keeps failing, connect another camera or use another device.',
  problemInsecureTitle: 'This page cannot use the camera here',
  problemInsecureText: 'Browsers let a page use the camera only over a secure connection (an address that starts with https://).',
  problemInsecureSteps: 'Open the link from your invitation exactly as it is.',
  problemStoppedTitle: 'The camera or microphone stopped',
  problemStoppedText: 'It may have been unplugged, or taken by another app.',
  problemStoppedSteps: 'Check that it is connected, then press "Try again".',
  problemOtherTitle: 'The camera and microphone could not start',
  problemOtherText: 'Your browser reported a problem it did not explain.',
  problemOtherSteps: 'Press "Try again". If it keeps failing, restart your browser, or use a current version of Chrome, Edge or Firefox.',

  // Sending the answers
  submitHeading: 'Send your answers',
  submitIntro:
    'When you confirm, your answers are sent to the recruiter and the interview closes. After that you cannot change your answers.',
  submitCheck: 'Before you send: watch your answers back to check that the picture and sound work.',
  submitSummary: '{answered} of {total} questions have an answer.',
  submitMissingHeading: 'These required questions still need an answer:',
  submitOptionalHeading: 'These optional questions have no answer and will be sent without one:',
  submitMissingQuestion: 'Question {n}: {text}',
  submitClosedMissing: 'The deadline has passed, so these questions can no longer be answered, and the answers cannot be sent.',
  answerQuestion: 'Answer question {n}',
  confirm: 'Confirm',
  sendingAnswers: 'Sending your answers…',

  // Done
  doneHeading: 'Thank you!',
  doneText: 'Your answers have been sent to the recruiter.',
  doneTime: 'Sent on {time}.',
  doneClose: 'The interview is closed. You can close this page.',

  // Refusals from the server, by error code
  'error-replaced': 'This interview was opened again, in another window or tab. Continue there, or reload this page to continue here.',
  'error-bad-message': 'The server did not understand the page. Please reload the page.',
  'error-unknown-type': 'The server did not understand the page. Please reload the page.',
  'error-too-large': 'A message was too large for the server. Reconnecting…',
  'error-wrong-stage': 'This step is not open right now. Updating the page…',
  'error-invalid-details': 'Please check the marked fields.',
  'error-unknown-question': 'This question is no longer part of the interview. Updating the page…',
  'error-already-recording': 'A recording is already in progress.',
  'error-not-recording': 'Nothing was being recorded.',
  'error-take-exists': 'This question already has an answer. Updating the page…',
  'error-no-take': 'This question has no answer to change. Updating the page…',
  'error-retake-limit': 'You have used all your retakes for this question. Your current answer is kept.',
  'error-missing-answers': 'Some required questions need an answer before you can send: see the list.',
  'error-submitted': 'Your answers were already sent and can no longer be changed.',
  'error-no-media': 'Your camera and microphone are still connecting. Please try again in a moment.',
  'error-empty-take': 'The recording stopped before any video reached us, so nothing was kept. Please record again.',
  'error-write-failed':
    'The server could not save this recording, so it was discarded. Your other answers are safe. Please try again in a moment.',
  'error-bad-sdp': 'The camera connection could not be set up. Reconnecting…',
  'error-internal': 'Something went wrong on the server. Please try again.',
  'error-closed':
    'The deadline for this interview has passed, so no new answers can be recorded. You can still send the answers you have already recorded.',
  'error-revoked': 'This interview link was withdrawn. If you think this is a mistake, contact the person who invited you.',
  errorGeneric: 'Something went wrong. Please try again.',
};

export const languages = { en };

let current = en;

// useLanguage switches to the language with the given code, when there is one.
export function useLanguage(code) {
  if (Object.hasOwn(languages, code)) current = languages[code];
}

// has reports whether key has a text.
export function has(key) {
  return Object.hasOwn(current, key) || Object.hasOwn(en, key);
}

// t returns the text under key with each "{name}" replaced by vars[name]. A key missing from the
// current language falls back to English.
export function t(key, vars = {}) {
  let text = key;
  if (Object.hasOwn(current, key)) text = current[key];
  else if (Object.hasOwn(en, key)) text = en[key];
  return text.replace(/\{(\w+)\}/g, (mark, name) => (Object.hasOwn(vars, name) ? String(vars[name]) : mark));
}
