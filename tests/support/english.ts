/** The English strings of _locales, with $1, $2 substituted as browser.i18n.getMessage does. */
import type { Translate } from '../../components/i18n';
import messages from '../../public/_locales/en/messages.json';

export const english: Translate = (key, substitutions = []) =>
  (messages as Record<string, { message: string }>)[key]?.message.replace(
    /\$(\d)/g,
    (_, n: string) => substitutions[Number(n) - 1] ?? '',
  ) ?? `??${key}`;
