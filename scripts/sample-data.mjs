// Sample usage reports for `npm start --sample-data`: a month of a made-up company, so the dashboard
// has something to show on a fresh machine. Deterministic (seeded), with stable batchIds, so running
// it twice adds nothing: the collector answers 200 to a batch it already has (docs/spec/report-protocol.md).

/** A small seeded generator (mulberry32): the same sample every time. */
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A UUID-shaped id from a counter: stable across runs, unique within the sample. */
const batchId = (n) => `5a3b1e00-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

const GROUPS = [
  { name: 'Sales EMEA', devices: 14 },
  { name: 'Engineering', devices: 18 },
  { name: 'Finance', devices: 8 },
  { name: 'Marketing', devices: 10 },
  // Fewer than k = 5 devices: the dashboard must hide this group's cells.
  { name: 'Legal', devices: 3 },
];

/**
 * One report per device and day. Over the month, use moves from unapproved tools to the approved
 * ones, which is what the dashboard is for. `approved` and `shadow` are tool ids; each shadow tool
 * comes with the event its nudge counts (from the policy: warned, redirected or blocked).
 */
export function sampleReports({ today, days = 30, approved, shadow, policyRevision }) {
  const random = seeded(20261126);
  const reports = [];
  let next = 0;
  for (let back = days - 1; back >= 0; back--) {
    const day = new Date(today.getTime() - back * 86_400_000).toISOString().slice(0, 10);
    const progress = (days - back) / days; // 0 → 1 over the month
    for (const group of GROUPS) {
      for (let device = 0; device < group.devices; device++) {
        if (random() < 0.25) continue; // not everyone uses AI every day
        const counts = [];
        // One report per device and day is its first of the day: every count and kind of use carries its
        // people mark (docs/spec/report-protocol.md "People").
        const kinds = new Set();
        const add = (tool, event, n, sanctioned = false) => {
          if (n <= 0) return;
          counts.push({ day, tool, event, n, ...(sanctioned && { sanctioned }), person: 1 });
          kinds.add('any').add(event !== 'visit' ? event : sanctioned ? 'sanctioned' : 'other');
        };
        for (const tool of approved) add(tool, 'visit', Math.round(random() * 6 * (0.4 + progress)), true);
        for (const { tool, nudge } of shadow) {
          const tries = Math.round(random() * 4 * (1.2 - progress));
          if (tries === 0) continue;
          add(tool, nudge, tries);
          if (nudge === 'warned') {
            const continued = Math.round(tries * random() * 0.5);
            add(tool, 'proceeded', continued);
            add(tool, 'visit', continued);
          }
        }
        if (counts.length === 0) continue;
        reports.push({
          schemaVersion: 1,
          batchId: batchId(++next),
          policyRevision,
          client: { browser: random() < 0.8 ? 'chrome' : 'edge' },
          group: group.name,
          counts,
          people: [...kinds].map((kind) => ({ day, kind })),
        });
      }
    }
  }
  return reports;
}
