// @vitest-environment happy-dom
/** The popup as a person reads it, for each kind of site, with the policy's own text rendered as text. */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Popup } from '../../../components/popup';
import type { PopupView, SurfaceResponse } from '../../../lib/protocol/messages';
import type { Decision } from '../../../lib/policy/compile';
import { english as t } from '../../support/english';
import { fakeDecision, fakePolicySummary } from '../../support/surface-views';

const CORP_CHAT = { id: 'corp-chat', name: 'Corp Chat', url: 'https://chat.corp.example/', description: 'For data.' };
const CORP_CODE = { id: 'corp-code', name: 'Corp Code', url: 'https://code.corp.example/', description: null };

const decision = (overrides: Partial<Decision>): Decision => fakeDecision({ alternatives: [CORP_CHAT], ...overrides });

function view(overrides: Partial<PopupView> = {}): PopupView {
  return {
    decision: decision({}),
    host: 'claude.ai',
    requestAccessUrl: 'https://it.corp.example/ask?tool=claude',
    snoozedUntil: null,
    approved: [CORP_CODE, CORP_CHAT],
    training: [{ title: 'AI at Corp', url: 'https://learn.corp.example/' }],
    policy: fakePolicySummary(),
    ...overrides,
  };
}

let root: HTMLElement;
afterEach(() => {
  render(null, root);
  root.remove();
});

/** The popup's clock: 10:00 on 26 November 2026. */
const NOW = new Date(2026, 10, 26, 10, 0).getTime();

async function show(response: SurfaceResponse | Promise<SurfaceResponse>, openOptions = () => undefined) {
  root = document.createElement('div');
  document.body.append(root);
  await act(async () => {
    render(
      <Popup load={() => Promise.resolve(response)} openOptions={openOptions} t={t} locale="en-US" now={() => NOW} />,
      root,
    );
    await Promise.resolve();
  });
  // Effects of the render that the loaded answer caused (focus) run after it.
  await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
  return root;
}

const statusOf = (page: HTMLElement) => page.querySelector('.site')?.textContent;

describe('the popup', () => {
  it.each([
    [
      'a sanctioned tool',
      decision({ sanctioned: true, action: 'allow', tool: 'corp-chat', toolName: 'Corp Chat' }),
      '✓ Corp Chat is approved by Corp.',
    ],
    ['a tool the policy allows', decision({ action: 'allow' }), '✓ Claude is fine to use here.'],
  ])('on %s: approved', async (_, site, text) => {
    const page = await show({ ok: true, popup: view({ decision: site }) });
    expect(statusOf(page)).toBe(text);
    expect(page.querySelector('.site')?.textContent).not.toContain('Request access');
  });

  it.each([
    ['warn', 'You will be asked before you use it.'],
    ['redirect', 'Opening it takes you to an approved tool instead.'],
    ['block', 'It cannot be opened in this browser.'],
    ['monitor', 'For company or customer data, use an approved tool instead.'],
  ] as const)(
    'on a tool that is not approved (%s): says so and what happens, with request access',
    async (action, detail) => {
      const page = await show({ ok: true, popup: view({ decision: decision({ action }) }) });
      expect(page.querySelector('.site .status')?.textContent).toBe('! Claude is not approved by Corp.');
      expect(statusOf(page)).toContain(detail);
      const ask = [...page.querySelectorAll('a')].find((link) => link.textContent === 'Request access to Claude');
      expect(ask?.getAttribute('href')).toBe('https://it.corp.example/ask?tool=claude');
    },
  );

  it('on a warned tool the person continued to: says until when, instead of "you will be asked"', async () => {
    const until = new Date(2026, 10, 26, 14, 30).getTime();
    const page = await show({ ok: true, popup: view({ snoozedUntil: until }) });
    expect(statusOf(page)).toContain('You continued past the warning. Daylight asks again after 2:30 PM.');
    expect(statusOf(page)).not.toContain('You will be asked');
    render(null, root);
    root.remove();
    const tomorrow = await show({ ok: true, popup: view({ snoozedUntil: until + 24 * 3600_000 }) });
    expect(statusOf(tomorrow)).toContain('Daylight asks again after Nov 27, 2026, 2:30 PM.');
  });

  it('under the default policy, says the organization has not reviewed the tool (it approved nothing)', async () => {
    const page = await show({
      ok: true,
      popup: view({ policy: { ...view().policy, source: 'default', organizationName: null } }),
    });
    expect(page.querySelector('.site .status')?.textContent).toBe(
      '! Claude has not been reviewed by your organization.',
    );
  });

  it('puts the approved tool for the same job first, marked and focused', async () => {
    const page = await show({ ok: true, popup: view() });
    const tools = [...page.querySelectorAll('.tools a')];
    expect(tools.map((link) => link.querySelector('.tool-name')?.textContent)).toEqual(['Corp Chat', 'Corp Code']);
    expect(tools[0]?.textContent).toContain('for this');
    expect(tools[1]?.textContent).not.toContain('for this');
    expect(document.activeElement).toBe(tools[0]);
    expect(tools.map((link) => link.getAttribute('target'))).toEqual(['_blank', '_blank']);
    // The popup would close on a link opened in its own frame: training opens in a new tab too.
    expect(page.querySelector('.links a[href="https://learn.corp.example/"]')?.getAttribute('target')).toBe('_blank');
  });

  it('on a site that is no AI tool, and on a browser page', async () => {
    const other = await show({
      ok: true,
      popup: view({ decision: decision({ tool: null, toolName: null, action: 'allow' }), host: 'github.com' }),
    });
    expect(statusOf(other)).toBe('github.com is not an AI tool Daylight knows.');
    render(null, root);
    root.remove();
    const browserPage = await show({ ok: true, popup: view({ decision: null, host: null }) });
    expect(statusOf(browserPage)).toBe('Daylight checks websites only. This page is not one.');
  });

  it("renders the policy's message and names as text, never as markup", async () => {
    const hostile = '<img src=x onerror="alert(1)">';
    const page = await show({
      ok: true,
      popup: view({
        decision: decision({ message: hostile, toolName: hostile }),
        policy: { ...view().policy, organizationName: hostile },
      }),
    });
    expect(page.querySelector('img')).toBeNull();
    expect(page.querySelector('.message')?.textContent).toBe(hostile);
  });

  it('shows a notice when the policy could not be updated, which opens the details', async () => {
    const openOptions = vi.fn();
    const page = await show(
      { ok: true, popup: view({ policy: { ...view().policy, errors: ['rules[0].action: must be one of …'] } }) },
      openOptions,
    );
    const notice = page.querySelector('.notice');
    expect(notice?.getAttribute('role')).toBe('status');
    expect(notice?.textContent).toContain('The last good one (revision corp-3) still applies.');
    await act(() => (notice?.querySelector('button') as HTMLButtonElement).click());
    expect(openOptions).toHaveBeenCalledOnce();
  });

  it.each([
    ['unavailable', "The policy could not be downloaded from your organization's server."],
    ['invalid', 'The new policy has errors.'],
    ['signature', "The new policy was not signed with your organization's key, so it was not trusted."],
    ['rollback', 'The policy offered is older than the one in force, so it was not trusted.'],
  ] as const)('says why an update from the policy URL was not taken: %s', async (updateProblem, why) => {
    const page = await show({
      ok: true,
      popup: view({ policy: { ...view().policy, source: 'url', errors: ['fetched policy: …'], updateProblem } }),
    });
    expect(page.querySelector('.notice')?.textContent).toBe(
      `Daylight could not update your organization's policy. The last good one (revision corp-3) still applies. ${why} Show details`,
    );
  });

  it('says when nothing could be loaded, and when no tools are approved', async () => {
    const failed = await show({ ok: false, error: 'not allowed' });
    expect(failed.querySelector('[role="alert"]')?.textContent).toContain('Daylight could not load the policy.');
    render(null, root);
    root.remove();
    const none = await show({ ok: true, popup: view({ approved: [], training: [] }) });
    expect(none.textContent).toContain('Your organization has not listed approved AI tools yet.');
    expect(none.textContent).not.toContain('Learn more');
  });
});
