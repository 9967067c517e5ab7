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
