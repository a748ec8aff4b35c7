// Test-only preload for the `plan` e2e test (NODE_OPTIONS=--import <this file>):
// any attempt to open a network connection or resolve a name fails loudly, which
// proves plan is offline. Nothing else can prove "no network" from outside the process.
import dns from 'node:dns';
import net from 'node:net';

const refuse = (what) => () => {
  throw new Error(`plan-offline-guard: ${what} attempted; plan must work without network`);
};
net.Socket.prototype.connect = refuse('a network connection');
dns.lookup = refuse('a DNS lookup');
dns.promises.lookup = refuse('a DNS lookup');
dns.resolve = refuse('a DNS query');
