/**
 * `<belfry-bell>`: the custom element host pages embed. It wires api → socket → store → components
 * inside a shadow root (so host styles and the panel's styles never collide) and tears it all down
 * when removed. Token: the `token` attribute or property, or `getToken` (called for every request,
 * reconnect and in-band refresh of the socket's token, so the host can renew it). Words: `locale`,
 * `labels` and `categories` (attributes or properties) change what the panel says without a remount.
 * Events: `belfry-open` (cancelable; otherwise the notification's link is followed), `belfry-notification`
 * and `belfry-unread-change`.
 */
import { createEffect, createSignal } from 'solid-js';
import { createComponent, render } from 'solid-js/web';
import { createApi } from './api.ts';
import { Bell } from './components/Bell.tsx';
import { readClaims } from './jwt.ts';
import { watchLifecycle } from './lifecycle.ts';
import { createSocket } from './socket.ts';
import { createNotificationStore } from './store.ts';
import { supportedLocale } from './format.ts';
import { loadStrings, stringsFor } from './i18n.ts';
import { follow, linkTarget } from './links.ts';
import { createTokenRefresh } from './token-refresh.ts';
import type { BelfryNotification } from './types.ts';
import type { Ui } from './ui.ts';
import stylesheetUrl from './styles/panel.css?url';

/** A function that returns the user's current JWT. */
export type TokenProvider = () => string | Promise<string>;

/**
 * The belfry this script was loaded from (its directory, so a path prefix behind a proxy is kept):
 * the default for the `server` attribute.
 */
const scriptBase = new URL('.', import.meta.url).href;

/** The `labels` attribute: a JSON object of category key → label; anything else is ignored. */
function parseLabels(value: string | null): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(value ?? '{}');
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return {};
  }
}

/** A plain copy for an event's detail: the host must not hold (or mutate) the panel's live state. */
const copy = <T,>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The `categories` attribute: keys separated by commas or spaces. */
const parseCategories = (value: string | null) => (value ?? '').split(/[\s,]+/).filter(Boolean);

/** The custom element; see web/EMBED.md for usage. */
export class BelfryBellElement extends HTMLElement {
  static observedAttributes = ['server', 'token', 'locale', 'labels', 'categories'];
  #token: string | null = null;
  #labels: Record<string, string> | null = null;
  #categories: string[] | null = null;
  #ui = createSignal<Ui>(this.#readUi());
  #getToken: TokenProvider | null = null;
  #teardown: (() => void) | null = null;
  #resume: (() => void) | null = null;
  #subject: string | null = null;

  /** The JWT to use when no `getToken` is set (the property wins over the attribute). */
  get token(): string | null {
    return this.#token ?? this.getAttribute('token');
  }
  set token(value: string | null) {
    this.#token = value;
    this.#sync();
  }

  /** A token provider called before every request and reconnect. */
  get getToken(): TokenProvider | null {
    return this.#getToken;
  }
  set getToken(value: TokenProvider | null) {
    this.#getToken = value;
    this.#sync();
  }

  /** Category key → label for the rows' category and the category tabs (wins over the `labels` attribute). */
  get labels(): Record<string, string> {
    return this.#ui[0]().labels;
  }
  set labels(value: Record<string, string> | null) {
    this.#labels = value && { ...value };
    this.#refreshUi();
  }

  /** Category keys shown as tabs after Unread / All / Archived (wins over the `categories` attribute). */
  get categories(): string[] {
    return [...this.#ui[0]().categories];
  }
  set categories(value: string[] | null) {
    this.#categories = value && [...value];
    this.#refreshUi();
  }

  #readUi(): Ui {
    const locale = supportedLocale(this.getAttribute('locale'));
    // A language not loaded yet speaks English for the moment it takes to arrive.
    void loadStrings(locale).then((arrived) => arrived && this.#refreshUi());
    return {
      locale,
      t: stringsFor(locale),
      labels: this.#labels ?? parseLabels(this.getAttribute('labels')),
      categories: this.#categories ?? parseCategories(this.getAttribute('categories')),
    };
  }

  #refreshUi() {
    this.#ui[1](this.#readUi());
  }

  connectedCallback() {
    // Properties set before this script loaded are own properties shadowing the accessors: re-apply them.
    for (const key of ['token', 'getToken', 'labels', 'categories'] as const) {
      if (Object.prototype.hasOwnProperty.call(this, key)) {
        const value = (this as Record<string, unknown>)[key];
        delete (this as Record<string, unknown>)[key];
        (this as Record<string, unknown>)[key] = value;
      }
    }
    this.#sync();
  }

  disconnectedCallback() {
    this.#unmount();
  }

  attributeChangedCallback(name: string, previous: string | null, next: string | null) {
    if (previous === next) return;
    if (name === 'locale' || name === 'labels' || name === 'categories') return this.#refreshUi();
    if (!this.isConnected) return;
    if (name === 'server') this.#unmount();
    this.#sync();
  }

  /**
   * Mounts when a token source exists; remounts when the token now belongs to someone else; otherwise a new
   * token (or token source) revives a socket whose token had expired.
   */
  #sync() {
    if (!this.isConnected) return;
    const subject = this.#getToken ? null : readClaims(this.token).sub;
    if (this.#teardown && subject !== this.#subject && !this.#getToken) this.#unmount();
    if (!this.#teardown && (this.#getToken || this.token)) this.#mount(subject);
    else this.#resume?.();
  }

  #mount(subject: string | null) {
    this.#subject = subject;
    const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    shadow.replaceChildren();
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = stylesheetUrl;
    const container = document.createElement('div');
    // Stay invisible until the stylesheet applies, so the host never sees an unstyled flash.
    container.hidden = true;
    link.onload = link.onerror = () => (container.hidden = false);
    shadow.append(link, container);

    const server = (this.getAttribute('server') || scriptBase).replace(/\/+$/, '');
    const getToken = async () => {
      const token = this.#getToken ? await this.#getToken() : this.token;
      if (!token) throw new Error('belfry-bell has no token');
      return token;
    };
    const wsBase = server.replace(/^http/, 'ws');
    const api = createApi({ baseUrl: server, getToken });
    const tokens = createTokenRefresh(getToken);
    const socket = createSocket({
      url: async () => `${wsBase}/ws?token=${encodeURIComponent(await tokens.connectToken())}`,
      // Only a host callback can hand out a newer token; a fixed one that expired stays expired.
      renewable: () => this.#getToken !== null,
      onUserChanged: () => {
        this.#unmount();
        this.#sync();
      },
    });
    const stopRefresh = tokens.follow(socket);
    const announce = (type: string, detail: unknown, cancelable = false) =>
      this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));
    const store = createNotificationStore(api, socket, {
      onNotification: (item) => announce('belfry-notification', copy(item)),
    });
    const onOpen = (item: BelfryNotification) => {
      // The host may handle the click itself (a router, say): preventDefault() keeps the page where it is.
      const proceed = announce('belfry-open', copy(item), true);
      const target = proceed && item.url ? linkTarget(item.url, location.origin) : null;
      if (target) follow(target);
    };
    const ui = this.#ui[0];
    const dispose = render(() => {
      let last = 0;
      createEffect(() => {
        const count = store.unreadCount();
        if (count !== last) announce('belfry-unread-change', { count: (last = count) });
      });
      return createComponent(Bell, {
        store,
        apiOptions: { baseUrl: server, getToken },
        onOpen,
        get ui() {
          return ui();
        },
      });
    }, container);
    const stopLifecycle = watchLifecycle(socket);
    store.start();
    socket.start();
    this.#resume = () => {
      if (socket.status() === 'expired') socket.start();
    };
    this.#teardown = () => {
      stopLifecycle();
      stopRefresh();
      socket.stop();
      store.stop();
      dispose();
      shadow.replaceChildren();
    };
  }

  #unmount() {
    this.#teardown?.();
    this.#teardown = this.#resume = null;
  }
}

/** Registers `<belfry-bell>` once, even if the script is included twice. */
export function defineBelfryBell(name = 'belfry-bell'): void {
  if (!customElements.get(name)) customElements.define(name, BelfryBellElement);
}
