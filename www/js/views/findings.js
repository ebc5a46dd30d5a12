// The findings panel: what a reviewer must not miss, most severe first. Selecting a finding
// filters every view to its events and zooms the timeline to its time window; the rule
// thresholds can be changed below the list.

import { el, replace } from '../dom.js';
import { count, dateTime, span, zoneLabel } from '../format.js';
import { prose, visible } from '../lib/visible.js';

const SHOWN = 8;

/** The threshold inputs: field, label, unit. Defaults come from the core. */
const FIELDS = [
  ['fatigue_failures', 'MFA fatigue: failures before a success', 'failures'],
  ['fatigue_window_minutes', 'MFA fatigue: within', 'minutes'],
  ['spray_users', 'Password spraying: distinct users from one IP', 'users'],
  ['spray_window_minutes', 'Password spraying: within', 'minutes'],
  ['travel_kmh', 'Impossible travel: faster than', 'km/h'],
  ['travel_min_km', 'Impossible travel: ignore distances under', 'km'],
  ['baseline_successes', 'First-seen country or agent: after', 'successful sign-ins'],
  ['enrollment_window_hours', 'MFA enrollment then new place: within', 'hours'],
];

function who(f) {
  const parts = [];
  const list = (label, values) => {
    if (!values.length) return;
    const head = values.slice(0, 3).map(visible).join(', ');
    parts.push(`${label} ${head}${values.length > 3 ? ` and ${count(values.length - 3)} more` : ''}`);
  };
  list('users:', f.users);
  list('by:', f.actors);
  list('IPs:', f.ips);
  return parts.join(' · ');
}

/**
 * @param {HTMLElement} container
 * @param {{onSelect: (index: number | null) => void, onThresholds: (t: object | null) => void}} opts
 */
export function createFindings(container, { onSelect, onThresholds }) {
  const tally = el('p', { class: 'findings-tally', testid: 'findings-tally' });
  const list = el('ol', { class: 'findings-list', testid: 'findings-list' });
  const more = el('button', { type: 'button', class: 'button ghost small', testid: 'findings-more', hidden: true });
  const form = el('form', { class: 'thresholds-form', testid: 'thresholds-form', novalidate: true });
  const settings = el('details', { class: 'thresholds' }, el('summary', { text: 'Rule thresholds' }), form);
  container.append(tally, list, more, settings);
  let expanded = false;
  let last = null;

  more.addEventListener('click', () => {
    expanded = !expanded;
    if (last) render(...last);
  });

  /** Builds the threshold inputs once the defaults are known. */
  function setDefaults(defaults) {
    const inputs = FIELDS.map(([name, label, unit]) => {
      const input = el('input', {
        type: 'number',
        name,
        min: '0',
        step: name.startsWith('travel') ? '10' : '1',
        value: String(defaults[name]),
        testid: `threshold-${name}`,
        required: true,
      });
      return el(
        'label',
        { class: 'threshold' },
        el('span', { class: 'threshold-label', text: label }),
        input,
        el('span', { class: 'threshold-unit', text: unit }),
      );
    });
    const apply = el('button', { type: 'submit', class: 'button small primary', text: 'Apply', testid: 'thresholds-apply' });
    const reset = el('button', { type: 'button', class: 'button small ghost', text: 'Defaults' });
    const note = el('p', {
      class: 'threshold-note',
      text: 'Each rule and its default are documented in the README. Changing a threshold re-runs every rule on the loaded events.',
    });
    replace(form, ...inputs, el('div', { class: 'threshold-actions' }, apply, reset), note);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const values = {};
      for (const [name] of FIELDS) {
        const v = Number(form.elements[name].value);
        if (!Number.isFinite(v) || v < 0) {
          form.elements[name].setCustomValidity('a number of 0 or more');
          form.elements[name].reportValidity();
          return;
        }
        form.elements[name].setCustomValidity('');
        values[name] = name.startsWith('travel') ? v : Math.round(v);
      }
      onThresholds(values);
    });
    reset.addEventListener('click', () => {
      for (const [name] of FIELDS) form.elements[name].value = String(defaults[name]);
      onThresholds(null);
    });
  }

  function render(findings, selected, tz) {
    last = [findings, selected, tz];
    const bySeverity = {};
    for (const f of findings) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
    const order = ['critical', 'high', 'medium', 'low', 'info'];
    tally.textContent =
      findings.length === 0
        ? 'No findings: no rule fired on these events.'
        : `${count(findings.length)} finding${findings.length === 1 ? '' : 's'}: ${order
            .filter((s) => bySeverity[s])
            .map((s) => `${bySeverity[s]} ${s}`)
            .join(', ')}. Select one to see its events.`;
    const items = findings.map((f, k) => {
      const from = Date.parse(f.from);
      const to = Date.parse(f.to);
      const isSelected = selected === k;
      const when =
        from === to
          ? `${dateTime(from, tz)} ${zoneLabel(tz, from)}`
          : `${dateTime(from, tz)} to ${dateTime(to, tz)} ${zoneLabel(tz, from)} (${span(to - from)})`;
      const button = el(
        'button',
        {
          type: 'button',
          class: 'finding-button',
          'aria-pressed': String(isSelected),
          testid: 'finding',
          'data-rule': f.rule,
          'data-severity': f.severity,
          onclick: () => onSelect(isSelected ? null : k),
        },
        el('span', { class: `severity sev-${f.severity}`, text: f.severity }),
        el('span', { class: 'finding-title', text: prose(f.title) }),
        el('span', { class: 'finding-when', text: when }),
        el('span', { class: 'finding-who', text: who(f) }),
      );
      return el(
        'li',
        { class: `finding${isSelected ? ' selected' : ''}`, hidden: !expanded && !isSelected && k >= SHOWN },
        button,
        isSelected ? el('p', { class: 'finding-detail', testid: 'finding-detail', text: prose(f.detail) }) : null,
        isSelected ? el('p', { class: 'finding-meta', text: `${count(f.events.length)} event${f.events.length === 1 ? '' : 's'} · rule ${f.rule}` }) : null,
      );
    });
    replace(list, ...items);
    more.hidden = findings.length <= SHOWN;
    more.textContent = expanded ? 'Show fewer' : `Show all ${count(findings.length)}`;
  }

  return { render, setDefaults };
}
