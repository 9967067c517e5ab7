// Copy buttons for candidates' links (web/templates/partials/invitations_link.html and
// invitations_created.html). Without JavaScript the links stay in read-only boxes to
// select and copy by hand; with it, each box's Copy button appears.

const copiedFor = 2000; // ms the button says "Copied"

// copyText puts text on the clipboard; the old way is for pages without a secure context.
async function copyText(field) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(field.value);
    return;
  }
  field.select();
  if (!document.execCommand('copy')) {
    throw new Error('copy refused');
  }
}

function announcer() {
  const el = document.createElement('p');
  el.className = 'visually-hidden';
  el.setAttribute('role', 'status');
  document.body.append(el);
  return el;
}

// say announces text, even when it is the same as last time.
function say(status, text) {
  status.textContent = '';
  setTimeout(() => { status.textContent = text; }, 50);
}

function setUp() {
  const status = announcer();
  for (const button of document.querySelectorAll('button[data-copy]')) {
    const field = document.getElementById(button.dataset.copy);
    const label = button.querySelector('.inv-copy-label');
    if (!field || !label) continue;
    const idle = label.textContent;
    let timer = 0;
    button.hidden = false;
    button.addEventListener('click', async () => {
      try {
        await copyText(field);
        label.textContent = 'Copied';
        say(status, 'Copied to the clipboard.');
      } catch {
        field.focus();
        field.select();
        say(status, 'Copying is not allowed here: the text is selected, press Ctrl+C or ⌘C to copy it.');
      }
      clearTimeout(timer);
      timer = setTimeout(() => { label.textContent = idle; }, copiedFor);
    });
  }
  // A click in a link box selects all of it, ready to copy by hand.
  for (const field of document.querySelectorAll('.inv-link-text, #all-links')) {
    field.addEventListener('focus', () => field.select());
  }
}

setUp();
