/**
 * The popup's and the options page's questions (lib/protocol/messages.ts "SurfaceRequest"): the
 * status of a page, the policy in force and where it came from, the counts on this device and the
 * next upload, and "Send now".
 */
import type { ManagedConfig } from '../../lib/policy/managed-config';
import { policyUrlInUse } from '../../lib/policy/managed-config';
import { requestAccessLink } from '../../lib/policy/request-access';
import type { PolicyInForce } from '../../lib/policy/source';
import type {
  OptionsView,
  PolicySummary,
  PopupView,
  SurfaceRequest,
  SurfaceResponse,
} from '../../lib/protocol/messages';
import { sortCounts } from '../../lib/protocol/usage';
import type { PolicyState } from '../policy-store';
import type { Reporting } from '../reporting';
import type { BackgroundContext } from './context';
import { decidePage } from './pages';
import { fetchInUse, type PolicyLoader } from './policy-loader';
import type { Snoozes } from './snoozes';

/** The policy in force, as the popup and the options page describe it. */
function policySummary(inForce: PolicyInForce, stored: PolicyState, config: ManagedConfig): PolicySummary {
  const { policy: p } = inForce.result;
  const fetched = fetchInUse(stored, config);
  return {
    source: inForce.source,
    revision: p.revision,
    organizationName: p.organization.name ?? null,
    supportUrl: p.organization.supportUrl ?? null,
    errors: stored.status?.errors ?? inForce.errors,
    updateProblem: fetched !== null && fetched.error !== null ? (fetched.problem ?? null) : null,
  };
}

// Long: a factory; the popup and options answers inside it are short functions.
export function createSurfaceMessages(
  { store, usage, now }: BackgroundContext,
  { loader, snoozes, reporting }: { loader: PolicyLoader; snoozes: Snoozes; reporting: Reporting },
) {
  /** The popup: what the page in the tab is, what to use instead, and how to ask for access. */
  async function popup(url: string | null, inForce: PolicyInForce, summary: PolicySummary): Promise<PopupView> {
    const { policy: p, index } = inForce.result;
    const page = url === null ? null : decidePage(index, url);
    const template = p.organization.requestAccessUrl;
    const tool = page?.decision.tool ?? null;
    // Asking for access makes sense for a tool the policy does not simply allow.
    const askable = page !== null && !page.decision.sanctioned && page.decision.action !== 'allow';
    const snoozed = tool === null || page?.decision.action !== 'warn' ? undefined : (await snoozes.all())[tool];
    return {
      decision: page?.decision ?? null,
      host: page?.host ?? null,
      requestAccessUrl:
        askable && tool !== null && template !== undefined ? requestAccessLink(template, tool, page.host) : null,
      snoozedUntil: snoozed !== undefined && !snoozed.once && snoozed.until > now() ? snoozed.until : null,
      approved: p.sanctioned.map(({ id, name, url: link, description }) => ({
        id,
        name,
        url: link,
        description: description ?? null,
      })),
      training: p.training.map(({ title, url: link }) => ({ title, url: link })),
      policy: summary,
    };
  }

  /** The options page: the policy's source and fetch, what is sent where, and the counts on this device. */
  async function options(
    inForce: PolicyInForce,
    stored: PolicyState,
    config: ManagedConfig,
    summary: PolicySummary,
  ): Promise<OptionsView> {
    const { policy: p, index } = inForce.result;
    const fetchUrl = policyUrlInUse(config);
    const fetched = fetchInUse(stored, config);
    const names = new Map(index.serialized.entries.map((entry) => [entry.id, entry.name]));
    const reportingUrl = config.disableReporting ? null : (p.reporting?.url ?? null);
    return {
      policy: summary,
      checkedAt: stored.status?.checkedAt ?? null,
      fetch:
        fetchUrl === null
          ? null
          : {
              url: fetchUrl,
              answeredAt: fetched !== null && fetched.answeredAt > 0 ? fetched.answeredAt : null,
              nextAttemptAt: fetched?.nextAttemptAt ?? null,
              error: fetched?.error ?? null,
            },
      signed: config.policySigningKey !== null,
      reportingHost: reportingUrl === null ? null : new URL(reportingUrl).host,
      reportingIntervalMinutes: reportingUrl === null ? null : (p.reporting?.intervalMinutes ?? null),
      group: config.group,
      counts: sortCounts(await usage.list()).map((entry) => ({
        ...entry,
        toolName: names.get(entry.tool) ?? entry.tool,
      })),
      upload: await reporting.preview(),
    };
  }

  return async function onSurfaceMessage(request: SurfaceRequest): Promise<SurfaceResponse> {
    if (request.type === 'options:send-now') return { ok: true, sent: await reporting.upload(true) };
    const inForce = await loader.policy();
    const stored = await store.read();
    const config = await loader.currentConfig();
    const summary = policySummary(inForce, stored, config);
    switch (request.type) {
      case 'popup:get':
        return { ok: true, popup: await popup(request.url, inForce, summary) };
      case 'options:get':
        return { ok: true, options: await options(inForce, stored, config, summary) };
    }
  };
}
