/** Per group: the counts, the share on approved tools and the people, cells the collector released none of "not shown". */
import type { GroupRow } from '../../lib/protocol/dashboard-api';
import { groupShare } from '../model';
import { formatPercent, HIDDEN, text } from '../strings';
import { CountCell } from './count';

export interface GroupTableProps {
  readonly rows: readonly GroupRow[];
}

export function GroupTable({ rows }: GroupTableProps) {
  return (
    <section class="card groups" aria-labelledby="groups-heading" data-testid="groups">
      <h2 id="groups-heading">{text.groupsHeading}</h2>
      {rows.length === 0 ? (
        <p>{text.groupsEmpty}</p>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={`${text.groupsHeading}: table`}>
          <table aria-labelledby="groups-heading">
            <thead>
              <tr>
                <th scope="col">{text.groupColumn}</th>
                <th scope="col">{text.visits}</th>
                <th scope="col">{text.approved}</th>
                <th scope="col">{text.shadow}</th>
                <th scope="col">{text.shareColumn}</th>
                <th scope="col">
                  {text.peopleApproved} <span class="detail">{text.busiestDayNote}</span>
                </th>
                <th scope="col">
                  {text.peopleShadow} <span class="detail">{text.busiestDayNote}</span>
                </th>
                <th scope="col">{text.outcomeWarned}</th>
                <th scope="col">{text.outcomeProceeded}</th>
                <th scope="col">{text.outcomeRedirectedShort}</th>
                <th scope="col">{text.outcomeBlocked}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const share = groupShare(row);
                return (
                  <tr key={row.group ?? ''} class={row.suppressed ? 'suppressed-row' : undefined}>
                    <th scope="row">{row.group ?? text.noGroup}</th>
                    <CountCell value={row.visits} />
                    <CountCell value={row.sanctioned} />
                    <CountCell value={row.shadow} />
                    <td class={share === null && row.visits === null ? 'num suppressed' : 'num'}>
                      {share !== null ? formatPercent(share) : row.visits === null ? HIDDEN : '–'}
                    </td>
                    <CountCell value={row.sanctionedPeople} />
                    <CountCell value={row.shadowPeople} />
                    <CountCell value={row.warned} />
                    <CountCell value={row.proceeded} />
                    <CountCell value={row.redirected} />
                    <CountCell value={row.blocked} />
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
