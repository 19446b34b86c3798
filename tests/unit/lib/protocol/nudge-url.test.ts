/** lib/protocol/nudge-url.ts: the URL the person asked for, carried by the nudge page's address and read back. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nudgeUrl, originalUrl } from '../../../../lib/protocol/nudge-url';

const PAGE = 'chrome-extension://pjldjipjgdlklngggfgapcpfejoijdfe/nudge.html';

describe('the nudge page address', () => {
  it('gives back exactly the URL it carries, fragments and all', () => {
    fc.assert(
      fc.property(fc.webUrl({ withFragments: true, withQueryParameters: true }), (url) => {
        expect(originalUrl(PAGE, nudgeUrl(PAGE, url))).toBe(url);
      }),
    );
    expect(originalUrl(PAGE, `${PAGE}#https://chatgpt.com/c/1#frag`)).toBe('https://chatgpt.com/c/1#frag');
  });

  it('is not read from any other address', () => {
    expect(originalUrl(PAGE, 'https://chatgpt.com/')).toBeNull();
    expect(originalUrl(PAGE, PAGE)).toBeNull();
    expect(
      originalUrl(PAGE, 'chrome-extension://pjldjipjgdlklngggfgapcpfejoijdfe/popup.html#https://x.example/'),
    ).toBeNull();
    expect(
      originalUrl(PAGE, 'chrome-extension://otherextensionidotherextensionid/nudge.html#https://x.example/'),
    ).toBeNull();
  });
});
