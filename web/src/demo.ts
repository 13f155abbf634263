/**
 * The demo page served at `/`: gets a demo session (or a token from `#token=`), hands it to the
 * bell and sends test notifications, so a newcomer sees the whole loop right after `bun run start`.
 */
import './belfry-bell.ts';
import { fetchDemoSession, sendDemoNotification } from './demo-api.ts';
import type { BelfryBellElement } from './element.ts';

const origin = location.origin;

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element as T;
}

function show(id: string) {
  byId('loading').hidden = true;
  byId(id).hidden = false;
}

function wireForm(token: string) {
  const form = byId<HTMLFormElement>('send-form');
  const status = byId('send-status');
  const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const type = String(data.get('type') ?? '').trim();
    const message = String(data.get('message') ?? '').trim();
    if (!message) return;
    if (submit) submit.disabled = true;
    status.textContent = 'Sending…';
    try {
      const [id] = await sendDemoNotification(origin, token, type ? { type, message } : { message });
      status.textContent = `Sent (id ${id ?? '?'}). Look at the bell.`;
    } catch (error) {
      status.textContent = `Could not send: ${error instanceof Error ? error.message : 'unknown error'}`;
    } finally {
      if (submit) submit.disabled = false;
    }
  });
}

async function main() {
  byId('snippet').textContent =
    `<script type="module" src="${origin}/belfry-bell.js"></script>\n` +
    `<belfry-bell token="JWT for the signed-in user"></belfry-bell>`;
  const bell = byId<BelfryBellElement>('bell');
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    bell.token = fromHash;
    show('token-mode');
    return;
  }
  try {
    const session = await fetchDemoSession(origin);
    if (!session) return show('no-demo');
    bell.token = session.token;
    byId('user-id').textContent = session.user_id;
    wireForm(session.token);
    show('demo');
  } catch {
    show('unreachable');
  }
}

void main();
