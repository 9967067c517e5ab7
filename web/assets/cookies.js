// The cookie notice. The site uses only strictly necessary cookies; this one remembers
// that the candidate has seen the notice, so that it is not shown again.

const NAME = 'takes_cookie_notice';
const ONE_YEAR_S = 365 * 24 * 60 * 60;

export function noticeDismissed() {
  return document.cookie.split(';').some((c) => c.trim() === `${NAME}=1`);
}

export function dismissNotice() {
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `${NAME}=1; SameSite=Strict; path=/; max-age=${ONE_YEAR_S}${secure}`;
}
