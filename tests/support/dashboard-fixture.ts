/**
 * A GET /api/v1/dashboard answer as the collector gives it (dashboard/api.ts), for tests of the
 * dashboard's code that should not need a collector: `fakeDashboard({ outcomes: null })`.
 */
import type { Dashboard } from '../../lib/protocol/dashboard-api';

export function fakeDashboard(overrides: Partial<Dashboard> = {}): Dashboard {
  return {
    from: '2026-11-20',
    to: '2026-11-26',
    k: 5,
    groups: ['Engineering', 'Legal', 'Sales EMEA'],
    revisions: ['2026-11-01.1', '2026-11-26.1'],
    daily: [
      { day: '2026-11-20', sanctioned: 40, shadow: 30, sanctionedPeople: 15, shadowPeople: 15 },
      { day: '2026-11-21', sanctioned: 44, shadow: 26, sanctionedPeople: 16, shadowPeople: 13 },
      { day: '2026-11-22', sanctioned: 10, shadow: 5, sanctionedPeople: 7, shadowPeople: 6 },
      { day: '2026-11-23', sanctioned: null, shadow: null, sanctionedPeople: null, shadowPeople: null },
      { day: '2026-11-24', sanctioned: 52, shadow: 20, sanctionedPeople: 18, shadowPeople: 11 },
      { day: '2026-11-25', sanctioned: 60, shadow: 18, sanctionedPeople: 20, shadowPeople: 11 },
      { day: '2026-11-26', sanctioned: 58, shadow: 15, sanctionedPeople: 19, shadowPeople: 10 },
    ],
    topTools: [
      { tool: 'globex-chat', name: 'Globex Chat', sanctioned: true, visits: 220 },
      { tool: 'chatgpt', name: 'ChatGPT', sanctioned: false, visits: 70 },
      { tool: 'globex-code', name: 'Globex Code', sanctioned: true, visits: 44 },
      { tool: 'claude', name: 'Claude', sanctioned: false, visits: 30 },
      { tool: 'perplexity', name: 'Perplexity', sanctioned: false, visits: 14 },
    ],
    outcomes: { warned: 80, proceeded: 20, redirected: 31, blocked: 9 },
    refused: [],
    disagreements: [],
    byGroup: [
      {
        group: 'Engineering',
        visits: 250,
        sanctioned: 180,
        shadow: 70,
        sanctionedPeople: 24,
        shadowPeople: 11,
        warned: 50,
        proceeded: 12,
        redirected: 20,
        blocked: 5,
        suppressed: false,
      },
      {
        group: 'Sales EMEA',
        visits: 124,
        sanctioned: 84,
        shadow: 40,
        sanctionedPeople: 12,
        shadowPeople: 7,
        warned: 30,
        proceeded: 8,
        redirected: 11,
        blocked: 4,
        suppressed: false,
      },
      {
        group: 'Legal',
        visits: null,
        sanctioned: null,
        shadow: null,
        sanctionedPeople: null,
        shadowPeople: null,
        warned: null,
        proceeded: null,
        redirected: null,
        blocked: null,
        suppressed: true,
      },
    ],
    ...overrides,
  };
}
