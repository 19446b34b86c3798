/**
 * A check that may hold a moment later: a page's message can arrive before the background has handled
 * the navigation that showed the page (Firefox delivers its commit late at times). A few tries, half a
 * second at most, before the answer is no.
 */
const TRIES = 10;
const WAIT_MS = 50;

export async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    if (await check()) return true;
    if (attempt === TRIES) return false;
    await new Promise((resolve) => setTimeout(resolve, WAIT_MS));
  }
}
