// @vitest-environment happy-dom
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FramedPage } from '../../../components/framed-page';
import type { FrameResponse, FrameView } from '../../../lib/protocol/messages';
import { english as t } from '../../support/english';

const URL_ = 'https://claude.ai/new?q=1';

let root: HTMLElement;
afterEach(() => {
  render(null, root);
  root.remove();
});

async function show(
  view: Partial<FrameView>,
  options: { openInTab?: () => Promise<FrameResponse>; navigate?: (url: string) => void } = {},
) {
  root = document.createElement('div');
  document.body.append(root);
  const full: FrameView = { action: 'warn', toolName: 'Claude', organizationName: 'Contoso', snoozed: false, ...view };
  await act(async () => {
    render(
      <FramedPage
        originalUrl={URL_}
        load={() => Promise.resolve({ ok: true, view: full })}
        pass={() => Promise.resolve({ ok: true, passed: true })}
        openInTab={options.openInTab ?? (() => Promise.resolve({ ok: true, opened: true }))}
        navigate={options.navigate ?? (() => undefined)}
        t={t}
      />,
      root,
    );
    await Promise.resolve();
  });
  return root;
}

describe('the framed page', () => {
  it.each([
    ['warn', 'Before you use Claude'],
    ['block', 'Claude is not available here'],
    ['redirect', 'Contoso has an approved tool for this'],
  ] as const)(
    'says what a %s means, who set it, and offers the nudge in a tab, with no Continue',
    async (action, heading) => {
      const page = await show({ action });
      expect(page.querySelector('h1')?.textContent).toBe(heading);
      expect(page.textContent).toContain('This page shows Claude inside it. Contoso has a policy for AI tools');
      const buttons = [...page.querySelectorAll('button')].map((button) => button.textContent);
      expect(buttons).toEqual(['Open in a new tab']);
    },
  );

  it('says so when the tab could not be opened', async () => {
    const page = await show({}, { openInTab: () => Promise.resolve({ ok: false, error: 'not allowed' }) });
    await act(async () => {
      page.querySelector('button')?.click();
      await Promise.resolve();
    });
    expect(page.querySelector('[role="alert"]')?.textContent).toBe(
      'Daylight could not open the tab. Reload the page, or ask your IT support.',
    );
  });

  it.each([
    ['an allowed page', { action: 'allow' as const }],
    ['a warned tool the person continued past', { snoozed: true }],
  ])('goes on to %s', async (_name, view) => {
    const navigate = vi.fn();
    await show(view, { navigate });
    expect(navigate).toHaveBeenCalledWith(URL_);
  });

  it('stays on a warning not continued past', async () => {
    const navigate = vi.fn();
    await show({}, { navigate });
    expect(navigate).not.toHaveBeenCalled();
  });
});
