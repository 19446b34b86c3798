/** The popup's minimal status until the surfaces issue fills it in. */
export function PopupStatus({ t }: { t: (key: 'popupTitle' | 'popupComingSoon') => string }) {
  return (
    <main>
      <h1>{t('popupTitle')}</h1>
      <p>{t('popupComingSoon')}</p>
    </main>
  );
}
