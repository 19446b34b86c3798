// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NudgePage } from '../../../components/nudge-page';
import type { NudgeResponse, NudgeView } from '../../../lib/protocol/messages';
import type { Decision } from '../../../lib/policy/compile';
import { english as t } from '../../support/english';
import { fakeDecision } from '../../support/surface-views';

function fakeView(decision: Partial<Decision>, overrides: Partial<NudgeView> = {}): NudgeView {
  return {
    decision: fakeDecision({
      alternatives: [
        { id: 'corp-chat', name: 'Corp Chat', url: 'https://chat.corp.example/', description: 'For company data.' },
      ],
      training: [{ title: 'AI at Corp', url: 'https://learn.corp.example/ai' }],
      ...decision,
    }),
    organizationName: 'Contoso',
    supportUrl: 'https://it.corp.example/',
    requestAccessUrl: 'https://it.corp.example/request?tool=claude',
    requireReason: false,
    snoozeMinutes: 60,
    snoozed: false,
    ...overrides,
  };
}

let root: HTMLElement;
afterEach(() => {
  render(null, root);
  root.remove();
  vi.useRealTimers();
});

async function show(
  view: NudgeView,
  options: {
    continueTo?: () => Promise<NudgeResponse>;
    pass?: () => Promise<NudgeResponse>;
    navigate?: (url: string) => void;
  } = {},
) {
  root = document.createElement('div');
  document.body.append(root);
  await act(async () => {
    render(
      <NudgePage
        originalUrl="https://claude.ai/new?q=1"
        load={() => Promise.resolve({ ok: true, view })}
        continueTo={options.continueTo ?? (() => Promise.resolve({ ok: true, continued: true }))}
        pass={options.pass ?? (() => Promise.resolve({ ok: true, passed: true }))}
        navigate={options.navigate ?? (() => undefined)}
        t={t}
        locale="en-US"
        redirectSeconds={2}
      />,
      root,
    );
    await Promise.resolve();
  });
  return root;
}

describe('the nudge page', () => {
  it('for a warning: names the tool and the organization, offers the approved tool, training and request access', async () => {
    const page = await show(fakeView({ message: 'Think before sharing.' }));
    expect(page.querySelector('h1')?.textContent).toBe('Before you use Claude');
    expect(page.textContent).toContain('Contoso has a policy for AI tools');
    expect(page.textContent).toContain('Think before sharing.');
    expect(page.querySelector<HTMLAnchorElement>('a.alternative')?.href).toBe('https://chat.corp.example/');
    expect(page.textContent).toContain('Open Corp Chat');
    expect(page.textContent).toContain('AI at Corp');
    // The nudge page is a tab of its own: training opens in it, as the approved tool does.
    expect(page.querySelector('a[href="https://learn.corp.example/ai"]')?.getAttribute('target')).toBeNull();
    expect(page.querySelector<HTMLAnchorElement>('a[href^="https://it.corp.example/request"]')?.textContent).toBe(
      'Request access to Claude',
    );
    expect(page.querySelector('button[type="submit"]')?.textContent).toBe('Continue to Claude');
  });

  it("renders the administrator's message as text, never as markup", async () => {
    const page = await show(fakeView({ message: '<img src=x onerror=alert(1)><b>bold</b>' }));
    expect(page.querySelector('img')).toBeNull();
    expect(page.querySelector('.message')?.textContent).toBe('<img src=x onerror=alert(1)><b>bold</b>');
  });

  it('continues to the exact URL after the snooze is in place', async () => {
    const navigate = vi.fn();
    const continueTo = vi.fn(() => Promise.resolve<NudgeResponse>({ ok: true, continued: true }));
    const page = await show(fakeView({}), { continueTo, navigate });
    await act(async () => {
      page.querySelector<HTMLButtonElement>('button[type="submit"]')?.click();
      await Promise.resolve();
    });
    expect(continueTo).toHaveBeenCalledWith(undefined);
    expect(navigate).toHaveBeenCalledWith('https://claude.ai/new?q=1');
  });

  it('asks for a reason when the policy requires one, and sends it', async () => {
    const navigate = vi.fn();
    const continueTo = vi.fn((_reason?: string) => Promise.resolve<NudgeResponse>({ ok: true, continued: true }));
    const page = await show(fakeView({}, { requireReason: true }), { continueTo, navigate });
    await act(async () => {
      page.querySelector<HTMLButtonElement>('button[type="submit"]')?.click();
      await Promise.resolve();
    });
    expect(continueTo).not.toHaveBeenCalled();
    expect(page.querySelector('[role="alert"]')?.textContent).toBe('Please say what you need it for, then continue.');
    const field = page.querySelector<HTMLTextAreaElement>('textarea');
    expect(page.querySelector('label')?.textContent).toBe('What do you need Claude for?');
    await act(async () => {
      if (field) {
        field.value = '  translating a public press release ';
        field.dispatchEvent(new Event('input', { bubbles: true }));
      }
      await Promise.resolve();
    });
    await act(async () => {
      page.querySelector<HTMLButtonElement>('button[type="submit"]')?.click();
      await Promise.resolve();
    });
    expect(continueTo).toHaveBeenCalledWith('translating a public press release');
    expect(navigate).toHaveBeenCalled();
  });

  it('for a block: no way to continue, alternatives and request access remain', async () => {
    const page = await show(fakeView({ action: 'block' }));
    expect(page.querySelector('h1')?.textContent).toBe('Claude is not available here');
    expect(page.querySelector('button[type="submit"]')).toBeNull();
    expect(page.querySelector('a.alternative')).not.toBeNull();
    expect(page.textContent).toContain('Request access to Claude');
  });

  it('for a redirect: counts down to the approved tool, unless the person stays', async () => {
    vi.useFakeTimers();
    const navigate = vi.fn();
    const view = fakeView({ action: 'redirect', redirectTo: 'https://chat.corp.example/' });
    const page = await show(view, { navigate });
    expect(page.textContent).toContain('Taking you to Corp Chat in 2 s.');
    await act(async () => {
      vi.advanceTimersByTime(2100);
      await Promise.resolve();
    });
    await act(async () => {
      vi.advanceTimersByTime(1100);
      await Promise.resolve();
    });
    expect(navigate).toHaveBeenCalledWith('https://chat.corp.example/');

    render(null, root);
    const stayed = vi.fn();
    const again = await show(view, { navigate: stayed });
    await act(async () => {
      [...again.querySelectorAll('button')].find((b) => b.textContent === 'Stay on this page')?.click();
      await Promise.resolve();
    });
    await act(async () => {
      vi.advanceTimersByTime(5000);
      await Promise.resolve();
    });
    expect(stayed).not.toHaveBeenCalled();
    expect(again.textContent).toContain('Countdown stopped');
  });
});

describe('a page that turned out to be allowed', () => {
  it('goes straight on to it, once the background has let the tab through', async () => {
    const navigate = vi.fn();
    const pass = vi.fn(() => Promise.resolve<NudgeResponse>({ ok: true, passed: true }));
    await show(fakeView({ action: 'allow', tool: 'corp-chat', sanctioned: true }), { navigate, pass });
    expect(pass).toHaveBeenCalled();
    expect(navigate).toHaveBeenCalledWith('https://claude.ai/new?q=1');
  });

  it('goes on to a warned tool the person continued past (a spelling the browser could not read)', async () => {
    const navigate = vi.fn();
    const pass = vi.fn(() => Promise.resolve<NudgeResponse>({ ok: true, passed: true }));
    await show(fakeView({ action: 'warn', tool: 'claude' }, { snoozed: true }), { navigate, pass });
    expect(pass).toHaveBeenCalled();
    expect(navigate).toHaveBeenCalledWith('https://claude.ai/new?q=1');
  });

  it('goes on when the page names no tool (a spelling that only the nudge page decides, such as /a%2fb)', async () => {
    const navigate = vi.fn();
    await show(fakeView({ action: 'allow', tool: null, toolName: null }), { navigate });
    expect(navigate).toHaveBeenCalledWith('https://claude.ai/new?q=1');
  });
});
