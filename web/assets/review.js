// The review page's player controls (templates/partials/answers.html): playback
// speed buttons for each take. Without this module the videos still play with
// their own controls; the buttons stay hidden.

const answers = document.querySelectorAll('.answer');

for (const answer of answers) {
  const video = answer.querySelector('video.take-video');
  const group = answer.querySelector('.speeds');
  if (!video || !group) continue;
  const buttons = group.querySelectorAll('button[data-speed]');
  const show = (rate) => {
    for (const b of buttons) b.setAttribute('aria-pressed', String(Number(b.dataset.speed) === rate));
  };
  for (const b of buttons) {
    b.addEventListener('click', () => {
      video.playbackRate = Number(b.dataset.speed);
    });
  }
  // The browser's own menu may change the speed too: keep the buttons in step.
  video.addEventListener('ratechange', () => show(video.playbackRate));
  group.hidden = false;
}

// Ratings and comments are saved without leaving the page, so a video keeps its
// place while the recruiter rates it. The server answers as it does a plain form
// (the page again, or the page with an error); the answer's reviews and forms are
// taken from it. Anything unexpected (signed out, no answer) falls back to a
// plain submission.
const reviewForms = 'form.rating-form, form.rating-clear, form.comment-form, form.comment-delete';
const savedText = new Map([
  ['rating-form', 'Rating saved.'],
  ['rating-clear', 'Rating cleared.'],
  ['comment-form', 'Comment added.'],
  ['comment-delete', 'Comment deleted.'],
]);

document.addEventListener('submit', (event) => {
  const form = event.target;
  const answer = form.closest('.answer');
  if (!answer || !form.matches(reviewForms)) return;
  event.preventDefault();
  saveReview(form, answer);
});

async function saveReview(form, answer) {
  const status = reviewStatus(answer);
  const buttons = form.querySelectorAll('button');
  for (const b of buttons) b.disabled = true;
  status.textContent = 'Saving…';
  try {
    const resp = await fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      credentials: 'same-origin',
    });
    const doc = new DOMParser().parseFromString(await resp.text(), 'text/html');
    const fresh = doc.getElementById(answer.id);
    if (!fresh) {
      HTMLFormElement.prototype.submit.call(form);
      return;
    }
    for (const sel of ['.reviews', '.my-review']) {
      const old = answer.querySelector(sel);
      const next = fresh.querySelector(sel);
      if (old && next) old.replaceWith(next);
    }
    const kind = [...savedText.keys()].find((c) => form.classList.contains(c));
    const problem = doc.querySelector('.alert.error');
    status.textContent = resp.ok ? savedText.get(kind) : (problem ? problem.textContent : 'Not saved. Try again.');
    status.classList.toggle('error', !resp.ok);
  } catch {
    status.textContent = 'Not saved: the server could not be reached. Try again.';
    status.classList.add('error');
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}

// reviewStatus returns the answer's line that says what became of the last save.
function reviewStatus(answer) {
  let status = answer.querySelector('.review-status');
  if (!status) {
    status = document.createElement('p');
    status.className = 'review-status meta';
    status.setAttribute('role', 'status');
    answer.append(status);
  }
  return status;
}
