// The state at one moment: the account's MFA level and each user's MFA settings, as reconstructed
// by the core. Hovering the timeline shows it; clicking the histogram pins the moment.

import { el, replace } from '../dom.js';
import { dateTimeZone } from '../format.js';
import { visible } from '../lib/visible.js';

const HINT = 'Hover the timeline to see the MFA state at that moment; click the authentications chart to pin it.';

/**
 * @param {HTMLElement} container
 * @param {{onUnpin: () => void, explain: (level: string) => string}} opts
 */
export function createMoment(container, { onUnpin, explain }) {
  const head = el('p', { class: 'moment-head', testid: 'moment-head', text: HINT });
  const body = el('div', { class: 'moment-body', testid: 'moment-state' });
  const unpin = el('button', { type: 'button', class: 'button ghost small', text: 'Unpin', testid: 'moment-unpin', hidden: true, onclick: onUnpin });
  container.append(el('div', { class: 'moment-bar' }, head, unpin), body);

  function since(s, tz) {
    if (s.since == null) return 'before the first recorded change';
    return `since ${dateTimeZone(Date.parse(s.since), tz)}${s.actor ? ` by ${visible(s.actor)}` : ''}`;
  }

  /** `state` from the core, or null for the hint; `pinned` whether the moment is pinned. */
  function render(state, pinned, tz) {
    unpin.hidden = !pinned;
    container.classList.toggle('pinned', Boolean(pinned));
    if (!state) {
      head.textContent = HINT;
      replace(body);
      return;
    }
    head.textContent = `${pinned ? 'Pinned' : 'At'} ${dateTimeZone(Date.parse(state.time), tz)}`;
    const account = state.account
      ? el(
          'p',
          { class: 'moment-account', testid: 'moment-account' },
          el('strong', { text: `Account MFA: ${visible(state.account.level)}` }),
          ` (${explain(state.account.level)}), ${since(state.account, tz)}`,
        )
      : el('p', { class: 'moment-account', testid: 'moment-account', text: 'Account MFA: unknown at this moment (no change recorded that tells it).' });
    const users =
      state.users.length === 0
        ? el('p', { class: 'moment-none', text: 'No user MFA settings known at this moment.' })
        : el(
            'ul',
            { class: 'moment-users' },
            ...state.users.map((u) =>
              el(
                'li',
                { testid: 'moment-user' },
                el('span', { class: 'moment-user', text: visible(u.user) }),
                ...u.settings.map((s) =>
                  el('span', {
                    class: `moment-setting${s.value === 'false' ? ' off' : ''}`,
                    title: since(s, tz),
                    text: `${visible(s.setting)}: ${s.value === 'true' ? 'on' : s.value === 'false' ? 'off' : visible(s.value) || '(empty)'}`,
                  }),
                ),
              ),
            ),
          );
    replace(body, account, users);
  }

  return { render };
}
