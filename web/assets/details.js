// The personal details form, built from the interview's fields, and its checks: the same rules
// as the server's (docs/protocol.md), so that most mistakes are caught before sending.
import { t } from './strings.js';
import { h } from './dom.js';

const MAX_LENGTH = 200;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TEL_CHARS = /^[0-9 +\-()]*$/;

const INPUT_TYPES = { text: 'text', email: 'email', tel: 'tel' };

// fieldProblem returns what is wrong with value for field, or '' when nothing is.
export function fieldProblem(field, value) {
  const v = value.trim();
  if (v === '') return field.required ? t('fieldRequired') : '';
  if ([...v].length > MAX_LENGTH) return t('fieldTooLong', { max: MAX_LENGTH });
  if (field.kind === 'email' && !EMAIL.test(v)) return t('fieldEmail');
  if (field.kind === 'tel') {
    const digits = v.replace(/[^0-9]/g, '').length;
    if (!TEL_CHARS.test(v) || digits < 6 || digits > 20) return t('fieldTel');
  }
  return '';
}

// buildFields returns the form rows for fields, filled with values.
export function buildFields(fields, values) {
  return fields.map((field, i) => fieldRow(field, i, values[field.name] ?? ''));
}

function fieldRow(field, i, value) {
  const id = `field-${i}`;
  const label = h(
    'label',
    { htmlFor: id, className: 'field-label' },
    field.label || field.name,
    field.required ? h('span', { className: 'required-mark', 'aria-hidden': 'true' }, ' *') : null,
    field.required ? h('span', { className: 'visually-hidden' }, ` ${t('detailsRequired')}`) : null,
  );
  const input = h('input', {
    id,
    name: field.name,
    type: INPUT_TYPES[field.kind] || 'text',
    value,
    maxLength: MAX_LENGTH,
    autocomplete: autocompleteFor(field),
    required: Boolean(field.required),
    'aria-describedby': `${id}-error`,
  });
  if (field.kind === 'tel') input.inputMode = 'tel';
  const error = h('p', { id: `${id}-error`, className: 'field-error', hidden: true });
  return h('div', { className: 'field', dataset: { field: field.name } }, label, input, error);
}

// autocompleteFor lets the browser offer what it knows; only common names get a specific hint.
function autocompleteFor(field) {
  if (field.kind === 'email') return 'email';
  if (field.kind === 'tel') return 'tel';
  const names = { name: 'name', fullname: 'name', full_name: 'name', firstname: 'given-name', lastname: 'family-name' };
  return names[String(field.name).toLowerCase()] || 'on';
}

// showProblems marks the form's fields with problems (name → message) and clears the others.
// It returns the first input with a problem.
export function showProblems(form, problems) {
  let first = null;
  for (const row of form.querySelectorAll('.field')) {
    const input = row.querySelector('input');
    const error = row.querySelector('.field-error');
    const message = problems[row.dataset.field] || '';
    error.replaceChildren();
    if (message) {
      error.append(h('span', { className: 'error-icon', 'aria-hidden': 'true' }, '⚠ '), message);
      input.setAttribute('aria-invalid', 'true');
      first = first || input;
    } else {
      input.removeAttribute('aria-invalid');
    }
    error.hidden = !message;
  }
  return first;
}

// readValues returns the form's values, trimmed, by field name.
export function readValues(form, fields) {
  const values = {};
  for (const field of fields) {
    const input = form.elements.namedItem(field.name);
    values[field.name] = input && typeof input.value === 'string' ? input.value.trim() : '';
  }
  return values;
}

// checkValues returns the problems of values, by field name.
export function checkValues(fields, values) {
  const problems = {};
  for (const field of fields) {
    const problem = fieldProblem(field, values[field.name] ?? '');
    if (problem) problems[field.name] = problem;
  }
  return problems;
}
