// Small helpers for building and updating the page without inline HTML.

export const byId = (id) => document.getElementById(id);

// h creates an element. In props, "dataset" is merged into el.dataset, names with a dash
// ("aria-label", "aria-describedby") are set as attributes, and anything else as a property.
// null, undefined and false leave a prop unset and a child out.
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.includes('-')) el.setAttribute(name, value === true ? '' : String(value));
    else el[name] = value;
  }
  el.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

// setText changes el's text only when it differs, so that live regions are not re-announced.
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

// show shows or hides el with the hidden attribute.
export function show(el, visible) {
  if (el.hidden === visible) el.hidden = !visible;
}

// setData sets el.dataset[key] only when it differs.
export function setData(el, key, value) {
  if (el.dataset[key] !== value) el.dataset[key] = value;
}

// formatDuration writes milliseconds as m:ss (or h:mm:ss), rounding the seconds with round:
// Math.floor by default, as video players show lengths; Math.ceil for a clock that counts down.
export function formatDuration(ms, round = Math.floor) {
  const total = Math.max(0, round((Number(ms) || 0) / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

// formatDateTime writes an ISO time as a date and time in the candidate's own locale and time zone.
export function formatDateTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  try {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'long', timeStyle: 'short' }).format(date);
  } catch {
    return date.toLocaleString();
  }
}
