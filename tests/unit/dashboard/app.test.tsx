// @vitest-environment happy-dom
/**
 * The dashboard page against a stubbed API (tests/support/dashboard-fixture.ts): what it asks for,
 * hidden numbers as "< k" and never 0, tables with the charts' numbers, and the filters in the URL.
 * The same page against a real collector in Chromium: tests/e2e/dashboard.e2e.test.ts.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../../dashboard/app';
import { fakeDashboard } from '../../support/dashboard-fixture';

let root: HTMLElement;
let requests: string[];

beforeEach(() => {
  root = document.createElement('div');
  document.body.append(root);
  requests = [];
  // happy-dom has no canvas context: Chart.js says so on the console and draws nothing, which is fine here.
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => {
  render(null, root);
  root.remove();
  vi.restoreAllMocks();
  history.replaceState(null, '', '/');
});

function stubApi(answer: (url: URL) => { status: number; body: unknown }) {
  vi.spyOn(globalThis, 'fetch').mockImplementation((input) => {
    const url = new URL(input instanceof Request ? input.url : input, location.origin);
    requests.push(`${url.pathname}${url.search}`);
    const { status, body } = answer(url);
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  });
}

async function show(): Promise<void> {
  await act(async () => {
    render(<App />, root);
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

const cells = (selector: string) => [...root.querySelectorAll(selector)].map((cell) => cell.textContent?.trim());

describe('the dashboard page', () => {
  it('asks for the filters in the URL, then for the period before for the trend', async () => {
    history.replaceState(null, '', '/?group=Legal&from=2026-11-20&to=2026-11-26&tool=ignored');
    stubApi(() => ({ status: 200, body: fakeDashboard() }));
    await show();
    await vi.waitFor(() => expect(requests).toHaveLength(2));
    expect(requests).toEqual([
      '/api/v1/dashboard?from=2026-11-20&to=2026-11-26&group=Legal',
      '/api/v1/dashboard?from=2026-11-13&to=2026-11-19&group=Legal',
    ]);
    expect(root.querySelector('[data-testid=showing]')?.textContent).toBe(
      '20 Nov 2026 – 26 Nov 2026 · Legal · all policy revisions',
    );
    expect(root.querySelector('a[data-testid=csv-link]')?.getAttribute('href')).toBe(
      '/api/v1/dashboard.csv?from=2026-11-20&to=2026-11-26&group=Legal',
    );
  });

  it('shows the headline numbers, and every chart has its numbers in a table', async () => {
    stubApi(() => ({ status: 200, body: fakeDashboard() }));
    await show();
    expect(root.querySelector('[data-testid=figure-share] .value')?.textContent).toBe('70%');
    expect(root.querySelector('[data-testid=figure-shadow] .value')?.textContent).toBe('114');
    expect(root.querySelector('[data-testid=figure-continued] .value')?.textContent).toBe('25%');
    expect(cells('[data-testid=daily] tbody tr:first-child > *')).toEqual([
      '20 Nov 2026',
      '40',
      '30',
      '70',
      '15',
      '15',
    ]);
    expect(cells('[data-testid=daily] tfoot td')).toEqual(['264', '114', '378', '', '']);
    // People beside visits: a group's are those of its busiest day.
    expect(cells('[data-testid=groups] thead th')).toContain('People on approved tools (busiest day)');
    expect(cells('[data-testid=groups] tbody tr:first-child > *')).toEqual([
      'Engineering',
      '250',
      '180',
      '70',
      '72%',
      '24',
      '11',
      '50',
      '12',
      '20',
      '5',
    ]);
    expect(cells('[data-testid=tools] tbody tr:first-child > *')).toEqual(['Globex Chat', 'Yes', '220']);
    expect(cells('[data-testid=outcomes] tbody td')).toEqual(['80', '20', '31', '9']);
    for (const card of ['daily', 'tools', 'outcomes']) {
      expect(root.querySelector(`[data-testid=${card}] .summary`)?.textContent, card).not.toBe('');
      expect(root.querySelector(`[data-testid=${card}] canvas[role=img]`), card).not.toBeNull();
    }
  });

  it('shows counts with nothing released as "not shown", explained, never as 0', async () => {
    const nothing = { sanctioned: null, shadow: null, sanctionedPeople: null, shadowPeople: null };
    stubApi(() => ({
      status: 200,
      body: fakeDashboard({ k: 7, outcomes: null, daily: [{ day: '2026-11-26', ...nothing }] }),
    }));
    await show();
    const legal = [...root.querySelectorAll('[data-testid=groups] tbody tr')].find((row) =>
      row.textContent?.startsWith('Legal'),
    );
    const legalCells = [...(legal?.querySelectorAll('td') ?? [])];
    expect(legalCells).toHaveLength(10);
    for (const cell of legalCells) {
      expect(cell.classList.contains('suppressed')).toBe(true);
      expect(cell.textContent).toBe('not shown');
    }
    expect(root.querySelector('[data-testid=figure-share] .value')?.textContent).toBe('Not shown');
    expect(root.querySelector('[data-testid=figure-steered] .value')?.textContent).toBe('Not shown');
    expect(root.querySelector('[data-testid=outcomes] .summary')?.textContent).toBe(
      'Not shown: no day of this period had 7 people behind it, if it had anything at all.',
    );
    expect(root.querySelector('[data-testid=outcomes] canvas')).toBeNull();
    expect(root.querySelector('[data-testid=hidden-note]')?.textContent).toContain('fewer than 7 people');
  });

  it("says which tools the browsers counted otherwise than the collector's policy file", async () => {
    stubApi(() => ({
      status: 200,
      body: fakeDashboard({ disagreements: [{ tool: 'chatgpt', name: 'ChatGPT', devices: true }] }),
    }));
    await show();
    expect(root.querySelector('[data-testid=disagreements-note]')?.textContent).toBe(
      "The browsers counted these tools under this collector's policy revision otherwise than its policy file says: " +
        'ChatGPT (approved on the browsers). The dashboard follows the browsers; the collector may be serving another ' +
        'file than the one your fleet uses.',
    );
  });

  it('says how many reports were refused, and why, only when some were', async () => {
    stubApi(() => ({ status: 200, body: fakeDashboard() }));
    await show();
    expect(root.querySelector('[data-testid=refused-note]')).toBeNull();
    render(null, root);
    stubApi(() => ({
      status: 200,
      body: fakeDashboard({
        refused: [
          { reason: 'group', n: 1200 },
          { reason: '(reporting token)', n: 3 },
        ],
      }),
    }));
    await show();
    expect(root.querySelector('[data-testid=refused-note]')?.textContent).toBe(
      '1,203 reports were refused in this period and counted nowhere, by the field at fault: group 1,200, ' +
        '(reporting token) 3. Many refusals of one field can mean an outdated extension, or someone sending made-up reports.',
    );
  });

  it('applies the filters into the URL without reloading, and follows back and forward', async () => {
    stubApi((url) => ({ status: 200, body: fakeDashboard({ from: url.searchParams.get('from') ?? '2026-11-20' }) }));
    await show();
    const group = root.querySelector<HTMLSelectElement>('#filter-group')!;
    // Values that no group's name can take: '' all, 'none' the reports without a group, '=name' a group.
    expect([...group.options].map((option) => [option.value, option.textContent])).toEqual([
      ['', 'All groups'],
      ['=Engineering', 'Engineering'],
      ['=Legal', 'Legal'],
      ['=Sales EMEA', 'Sales EMEA'],
      ['none', '(no group)'],
    ]);
    await act(() => {
      group.value = '=Sales EMEA';
      group.dispatchEvent(new Event('change', { bubbles: true }));
      const from = root.querySelector<HTMLInputElement>('#filter-from')!;
      from.value = '2026-11-22';
      from.dispatchEvent(new Event('input', { bubbles: true }));
    });
    requests = [];
    await act(async () => {
      root.querySelector('form[role=search]')!.dispatchEvent(new Event('submit', { cancelable: true }));
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    });
    // The default end stays implicit: the bookmark keeps meaning "up to today".
    expect(location.pathname + location.search).toBe('/?from=2026-11-22&group=Sales+EMEA');
    expect(requests[0]).toBe('/api/v1/dashboard?from=2026-11-22&group=Sales+EMEA');

    // Back: the browser puts the earlier URL in place and says so with popstate.
    requests = [];
    await act(async () => {
      history.replaceState(null, '', '/?group=Legal');
      dispatchEvent(new PopStateEvent('popstate'));
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    await vi.waitFor(() => expect(requests).toContain('/api/v1/dashboard?group=Legal'));
    await vi.waitFor(() => expect(group.value).toBe('=Legal'));

    // The reports without a group: `group=`.
    requests = [];
    await act(() => {
      group.value = 'none';
      group.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await act(() => {
      root.querySelector('form[role=search]')!.dispatchEvent(new Event('submit', { cancelable: true }));
    });
    await vi.waitFor(() => expect(requests).toContain('/api/v1/dashboard?group='));
    expect(location.search).toBe('?group=');
    await vi.waitFor(() =>
      expect(root.querySelector('[data-testid=showing]')?.textContent).toContain('· (no group) ·'),
    );
  });

  it('goes to the sign-in page when the session has ended', async () => {
    stubApi(() => ({ status: 401, body: { error: 'not signed in; sign in at /login' } }));
    const assign = vi.spyOn(location, 'assign').mockImplementation(() => undefined);
    await show();
    expect(assign).toHaveBeenCalledWith('/login');
  });

  it('says why when the counts cannot be loaded, and tries again', async () => {
    let answer: { status: number; body: unknown } = { status: 400, body: { error: 'from: must be a calendar date' } };
    stubApi(() => answer);
    await show();
    await vi.waitFor(() =>
      expect(root.querySelector('[role=alert]')?.textContent).toContain(
        'The counts could not be loaded: from: must be a calendar date.',
      ),
    );
    answer = { status: 200, body: { ...fakeDashboard(), daily: 'not a list' } };
    await act(async () => {
      root.querySelector<HTMLButtonElement>('[role=alert] button')!.click();
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    });
    await vi.waitFor(() =>
      expect(root.querySelector('[role=alert]')?.textContent).toContain('a form this page does not know'),
    );
  });
});
