// @vitest-environment happy-dom
/** The options page: the policy's state and errors verbatim, the local counts, and a privacy statement that follows the configuration. */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OptionsPage } from '../../../components/options-page';
import type { OptionsView, SurfaceResponse } from '../../../lib/protocol/messages';
import { english as t } from '../../support/english';
import { fakePolicySummary } from '../../support/surface-views';

const NOV_26 = new Date(2026, 10, 26, 9, 30).getTime();

function view(overrides: Partial<OptionsView> = {}): OptionsView {
  return {
    policy: fakePolicySummary(),
    checkedAt: NOV_26,
    fetch: null,
    signed: false,
    reportingHost: null,
    reportingIntervalMinutes: null,
    group: null,
    counts: [],
    upload: null,
    ...overrides,
  };
}

const UPLOAD = { collectorHost: 'collect.corp.example', lastSentAt: null, nextUploadAt: null, waiting: [], next: [] };

let root: HTMLElement;
afterEach(() => {
  render(null, root);
  root.remove();
});

async function show(
  response: SurfaceResponse | (() => SurfaceResponse),
  sendNow: () => Promise<SurfaceResponse> = () =>
    Promise.resolve({ ok: true, sent: { sent: 0, waiting: 0, error: null } }),
) {
  root = document.createElement('div');
  document.body.append(root);
  const load = () => Promise.resolve(typeof response === 'function' ? response() : response);
  await act(async () => {
    render(<OptionsPage load={load} sendNow={sendNow} t={t} locale="en-US" />, root);
    await Promise.resolve();
  });
  return root;
}

const section = (page: HTMLElement, heading: string) =>
  page.querySelector(`section[aria-labelledby="${heading}-heading"]`)?.textContent ?? '';

describe('the options page', () => {
  it('shows the policy in force and where it came from', async () => {
    const page = await show({ ok: true, options: view() });
    const policy = section(page, 'policy');
    expect(policy).toContain('Corp');
    expect(policy).toContain('corp-3');
    expect(policy).toContain("Set by your IT department in the browser's settings");
    expect(policy).toContain('Nov 26, 2026');
    expect(policy).toContain('No problems with the latest update.');
  });

  it('for a fetched policy: the URL, the last answer, the next check and each error verbatim', async () => {
    const errors = [
      'could not reach https://it.corp.example/p.json: Failed to fetch',
      'line 3, column 9: Unexpected token',
    ];
    const page = await show({
      ok: true,
      options: view({
        policy: { ...view().policy, source: 'url', errors },
        fetch: {
          url: 'https://it.corp.example/p.json',
          answeredAt: null,
          nextAttemptAt: NOV_26 + 60_000,
          error: errors[0] ?? null,
        },
        signed: true,
      }),
    });
    const policy = section(page, 'policy');
    expect(policy).toContain("Downloaded from your organization's server");
    expect(policy).toContain('https://it.corp.example/p.json');
    expect(policy).toContain('(must be signed)');
    expect(policy).toContain('Never');
    expect(page.querySelector('.problems')?.getAttribute('role')).toBe('alert');
    expect([...page.querySelectorAll('.problems pre')].map((pre) => pre.textContent)).toEqual(errors);
    expect(section(page, 'privacy')).toContain('Daylight downloads the policy from it.corp.example.');
  });

  it('lists the counts kept on this device, in words', async () => {
    const page = await show({
      ok: true,
      options: view({
        counts: [
          { day: '2026-11-26', tool: 'chatgpt', toolName: 'ChatGPT', event: 'blocked', n: 1234, sanctioned: false },
          { day: '2026-11-25', tool: 'claude', toolName: 'Claude', event: 'proceeded', n: 1, sanctioned: false },
        ],
      }),
    });
    const rows = [...page.querySelectorAll('tbody tr')].map((row) =>
      [...row.querySelectorAll('td')].map((cell) => cell.textContent),
    );
    expect(rows).toEqual([
      ['Nov 26, 2026', 'ChatGPT', 'Blocked', '1,234'],
      ['Nov 25, 2026', 'Claude', 'Continued after a warning', '1'],
    ]);
    expect([...page.querySelectorAll('th')].every((th) => th.getAttribute('scope') === 'col')).toBe(true);
  });

  it('says plainly when nothing is counted and nothing is sent', async () => {
    const page = await show({ ok: true, options: view() });
    expect(section(page, 'usage')).toContain('Nothing counted yet.');
    expect(section(page, 'privacy')).toContain('Nothing is sent: your organization has not turned on reporting.');
    expect(section(page, 'privacy')).not.toContain('downloads the policy');
  });

  it('says where counts go, how often, and with which group', async () => {
    const page = await show({
      ok: true,
      options: view({ reportingHost: 'collect.corp.example', reportingIntervalMinutes: 1440, group: 'sales' }),
    });
    const privacy = section(page, 'privacy');
    expect(privacy).toContain('The counts above are sent to collect.corp.example about every 24 hours');
    expect(privacy).toContain('Your team is sent with them as "sales"');
    expect(privacy).not.toContain('Nothing is sent: your organization has not turned on reporting.');
  });

  it('renders admin text as text', async () => {
    const hostile = '<script>alert(1)</script>';
    const page = await show({
      ok: true,
      options: view({ policy: { ...view().policy, organizationName: hostile, errors: [hostile] } }),
    });
    expect(page.querySelector('script')).toBeNull();
    expect(page.querySelector('.problems pre')?.textContent).toBe(hostile);
  });

  it('shows the exact body of the next upload, and no upload section when reporting is off', async () => {
    const off = await show({ ok: true, options: view() });
    expect(off.querySelector('#upload-heading')).toBeNull();
    render(null, root);
    root.remove();
    const body = JSON.stringify({
      schemaVersion: 1,
      batchId: 'b1',
      counts: [{ day: '2026-11-26', tool: 'chatgpt', event: 'visit', n: 2 }],
    });
    const page = await show({ ok: true, options: view({ upload: { ...UPLOAD, next: [body] } }) });
    const shown = page.querySelector('pre.body');
    expect(JSON.parse(shown?.textContent ?? '')).toEqual(JSON.parse(body));
    expect(shown?.getAttribute('tabindex')).toBe('0');
    expect(section(page, 'upload')).toContain('This is exactly what Daylight will send to collect.corp.example:');
  });

  it('says why the last upload failed and when it is tried again', async () => {
    const waiting = {
      batchId: 'b0',
      body: '{"schemaVersion":1}',
      createdAt: NOV_26,
      failures: 2,
      nextAttemptAt: NOV_26 + 120_000,
      lastError: 'https://collect.corp.example/v1/reports answered 401',
    };
    const page = await show({ ok: true, options: view({ upload: { ...UPLOAD, waiting: [waiting] } }) });
    expect(section(page, 'upload')).toContain(
      'Not accepted yet: https://collect.corp.example/v1/reports answered 401. Daylight keeps the counts and tries again after Nov 26, 2026, 9:32 AM.',
    );
  });

  it('"Send now" uploads, says what happened, and shows the page anew', async () => {
    let loads = 0;
    const sendNow = vi.fn(() =>
      Promise.resolve<SurfaceResponse>({ ok: true, sent: { sent: 1, waiting: 0, error: null } }),
    );
    const page = await show(() => {
      loads++;
      return { ok: true, options: view({ upload: { ...UPLOAD, lastSentAt: loads > 1 ? NOV_26 : null } }) };
    }, sendNow);
    expect(section(page, 'upload')).toContain('Never');
    await act(async () => {
      page.querySelector<HTMLButtonElement>('#upload-heading ~ .actions button')?.click();
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(sendNow).toHaveBeenCalledOnce();
    expect(page.querySelector('[role="status"]')?.textContent).toBe(
      'Sent. The server accepted everything that was waiting.',
    );
    expect(section(page, 'upload')).not.toContain('Never');
  });

  it('"Send now" that fails says why, and that nothing is lost', async () => {
    const page = await show({ ok: true, options: view({ upload: UPLOAD }) }, () =>
      Promise.resolve({
        ok: true,
        sent: {
          sent: 0,
          waiting: 1,
          error: 'could not reach https://collect.corp.example/v1/reports: Failed to fetch',
        },
      }),
    );
    await act(async () => {
      page.querySelector<HTMLButtonElement>('#upload-heading ~ .actions button')?.click();
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(page.querySelector('[role="status"]')?.textContent).toBe(
      'Not everything could be sent: could not reach https://collect.corp.example/v1/reports: Failed to fetch. Daylight keeps it and tries again.',
    );
  });

  it('says when it could not load', async () => {
    const page = await show({ ok: false, error: 'not allowed' });
    expect(page.querySelector('[role="alert"]')?.textContent).toContain('Daylight could not load the policy.');
  });
});
