/**
 * The policy's training links, as the nudge page and the popup show them (nothing when there are
 * none). Titles are admin text, rendered as text; the URLs are https (the policy schema refuses any
 * other).
 */
import type { TrainingLink } from '../lib/policy/compile';
import type { Translate } from './i18n';

export interface TrainingLinksProps {
  readonly links: readonly TrainingLink[];
  readonly t: Translate;
  /** The popup closes when a link opens in its own frame: it opens them in a new tab. */
  readonly newTab: boolean;
}

export function TrainingLinks({ links, t, newTab }: TrainingLinksProps) {
  if (links.length === 0) return null;
  return (
    <section aria-labelledby="training-heading">
      <h2 id="training-heading">{t('nudgeTrainingHeading')}</h2>
      <ul class="links">
        {links.map((link) => (
          <li key={link.url}>
            <a href={link.url} rel="noopener" {...(newTab && { target: '_blank' })}>
              {link.title}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
