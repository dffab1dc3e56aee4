/**
 * A TCP probe for the packet tests, as `node -e` scripts run inside network namespaces of our own:
 * the server answers every connection; the client prints `connected`, or `timeout` when its SYN is
 * dropped (no answer within CONNECT_GIVE_UP_MS), or `error <code>`.
 */
export const CONNECT_GIVE_UP_MS = 1_500;

/** argv: host port. */
export const TCP_PROBE_CLIENT = `
const socket = require('node:net').connect({ host: process.argv[1], port: Number(process.argv[2]) });
socket.setTimeout(${CONNECT_GIVE_UP_MS}, () => { console.log('timeout'); process.exit(2); });
socket.on('data', () => { console.log('connected'); process.exit(0); });
socket.on('error', (e) => { console.log('error ' + e.code); process.exit(1); });`;

/** argv: port; prints `listening` once it does. */
export const TCP_PROBE_SERVER = `
require('node:net').createServer((s) => s.end('hello\\n')).listen(Number(process.argv[1]), '::', () => console.log('listening'));`;
