// @vitest-environment node
/** `daylight serve --groups FILE` (collector/groups-file.ts): one group a line, every bad line named. */
import { describe, expect, it } from 'vitest';
import { parseGroupsText } from '../../../collector/groups-file';

describe('parseGroupsText', () => {
  it('takes one group a line, leaving out blank lines and # comments, whatever the line ends', () => {
    expect(parseGroupsText('# exported from the directory\r\nSales EMEA\r\n\r\n  Legal  \nSales EMEA\n')).toEqual({
      ok: true,
      groups: ['Sales EMEA', 'Legal'],
    });
  });

  it('names every line that is too long, and refuses a file with no group', () => {
    expect(parseGroupsText(`ok\n${'g'.repeat(65)}\nfine\n${'h'.repeat(70)}`)).toEqual({
      ok: false,
      errors: ['line 2: a group is at most 64 characters', 'line 4: a group is at most 64 characters'],
    });
    expect(parseGroupsText('# nothing yet\n\n')).toEqual({
      ok: false,
      errors: ["no group: list one a line, as the fleet's managed group names it"],
    });
  });
});
