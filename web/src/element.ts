/**
 * `<belfry-bell>`: the custom element host pages embed. It wires api → socket → store → components
 * inside a shadow root (so host styles and the panel's styles never collide) and tears it all down
 * when removed. Token: the `token` attribute or property, or `getToken` (called for every request,
 * reconnect and in-band refresh of the socket's token, so the host can renew it).
 */
import { createComponent, render } from 'solid-js/web';
import { createApi } from './api.ts';
import { Bell } from './components/Bell.tsx';
import { readClaims } from './jwt.ts';
import { watchLifecycle } from './lifecycle.ts';
import { createSocket } from './socket.ts';
import { createNotificationStore } from './store.ts';
import { createTokenRefresh } from './token-refresh.ts';
import type { BelfryNotification } from './types.ts';
import stylesheetUrl from './styles/panel.css?url';

/** A function that returns the user's current JWT. */
export type TokenProvider = () => string | Promise<string>;

/**
 * The belfry this script was loaded from (its directory, so a path prefix behind a proxy is kept):
 * the default for the `server` attribute.
 */
const scriptBase = new URL('.', import.meta.url).href;

/** The custom element; see web/EMBED.md for usage. */
export class BelfryBellElement extends HTMLElement {
  static observedAttributes = ['server', 'token'];
  #token: string | null = null;
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

  connectedCallback() {
    // Properties set before this script loaded are own properties shadowing the accessors: re-apply them.
    for (const key of ['token', 'getToken'] as const) {
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
    if (previous === next || !this.isConnected) return;
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
    const store = createNotificationStore(api, socket);
    const onOpen = (item: BelfryNotification) =>
      this.dispatchEvent(new CustomEvent('belfry-open', { detail: { ...item }, bubbles: true, composed: true }));
    const dispose = render(() => createComponent(Bell, { store, onOpen }), container);
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
