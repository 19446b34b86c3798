// @vitest-environment node
/**
 * One client address holds MAX_CONNECTIONS_PER_ADDRESS open connections at most (collector/listen.ts): past them, a
 * connection is closed as it is accepted. Without it, one host opening idle connections could use up the collector's
 * file descriptors (often 1,024) and with them every other client's chance to connect.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CONNECTIONS_PER_ADDRESS } from '../../../collector/listen';
import { fakeReport, postReport, testCollectors } from '../../support/collector';

const collectors = testCollectors();
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await collectors.disposeAll();
});

/** Opens a connection from `localAddress` and says whether the server still holds it open shortly after. */
function holdsOpen(port: number, localAddress: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    sockets.push(socket);
    socket.on('error', () => resolve(false));
    socket.once('close', () => resolve(false));
    socket.once('connect', () => setTimeout(() => resolve(!socket.destroyed && socket.readyState === 'open'), 200));
  });
}

describe('connections per client address', () => {
  it('closes one address past its share at once, and still takes the others', async () => {
    const server = await collectors.start();
    const port = Number(new URL(server.url).port);
    const held = await Promise.all(
      Array.from({ length: MAX_CONNECTIONS_PER_ADDRESS }, () => holdsOpen(port, '127.0.0.3')),
    );
    expect(held.every(Boolean)).toBe(true);
    expect(await holdsOpen(port, '127.0.0.3')).toBe(false);
    expect((await postReport(server, fakeReport(), {}, '127.0.0.4')).status).toBe(202);
    // One of the address's connections closes: it may open one again.
    sockets[0]?.destroy();
    await expect.poll(() => holdsOpen(port, '127.0.0.3'), { timeout: 5000 }).toBe(true);
  });

  it('is not applied behind a proxy, where every connection comes from the proxy', async () => {
    const server = await collectors.start({ trustProxy: true });
    const port = Number(new URL(server.url).port);
    const held = await Promise.all(
      Array.from({ length: MAX_CONNECTIONS_PER_ADDRESS + 1 }, () => holdsOpen(port, '127.0.0.3')),
    );
    expect(held.every(Boolean)).toBe(true);
  });
});
