/**
 * What every part of the background is given: the browser and the clock as parameters (ARCHITECTURE.md
 * "The rules between folders"), the stores, and the addresses of the extension's own pages.
 */
import type { browser as wxtBrowser } from 'wxt/browser';
import type { Catalog } from '../../lib/policy/catalog';
import type { ReportHeader } from '../../lib/protocol/report';
import type { PolicyStore } from '../policy-store';
import type { UsageStore } from '../usage-store';
import type { BackgroundState } from './state';

export type Browser = typeof wxtBrowser;

export interface BackgroundDeps {
  readonly browser: Browser;
  readonly catalog: Catalog;
  readonly defaultPolicy: unknown;
  readonly store?: PolicyStore;
  readonly usage?: UsageStore;
  readonly fetchFn?: typeof fetch;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly newBatchId?: () => string;
  /** What usage reports say about the client: the browser's family, nothing else. */
  readonly client?: Pick<ReportHeader, 'browser'>;
  /** Managed keys this build assumes when IT set none (`npm start`'s local build: the local policyUrl). */
  readonly buildDefaults?: { readonly policyUrl?: string; readonly reportingToken?: string };
}

/** The dependencies with their defaults filled in, and what is derived from them once. */
export interface BackgroundContext {
  readonly browser: Browser;
  readonly catalog: Catalog;
  readonly defaultPolicy: unknown;
  readonly store: PolicyStore;
  readonly usage: UsageStore;
  readonly fetchFn: typeof fetch;
  readonly now: () => number;
  readonly buildDefaults: { readonly policyUrl?: string; readonly reportingToken?: string };
  readonly state: BackgroundState;
  /** chrome-extension://<id>/nudge.html */
  readonly nudgePageUrl: string;
  /** chrome-extension://<id>/framed.html */
  readonly framedPageUrl: string;
  /** chrome-extension://<id>/ */
  readonly extensionOrigin: string;
}

/** A top-level navigation as webNavigation reports it (transitions: onCommitted only). */
export interface NavigationDetails {
  readonly tabId: number;
  readonly frameId: number;
  readonly url: string;
  readonly transitionType?: string | undefined;
  readonly transitionQualifiers?: readonly string[] | undefined;
}

/** Who sent a message, as the browser (not the message) says. */
export interface MessageSender {
  readonly url?: string | undefined;
  readonly frameId?: number | undefined;
  readonly tab?: { readonly id?: number | undefined; readonly url?: string | undefined } | undefined;
}
