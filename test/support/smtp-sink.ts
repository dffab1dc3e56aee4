import { spawn, type ChildProcess } from 'node:child_process';

/**
 * An SMTP sink on 127.0.0.1:25 inside a network namespace, for OSSEC's maild (which always
 * connects to port 25 when built without curl). A Node child started with `ip netns exec`, since a
 * process cannot move itself into a namespace; it speaks just enough SMTP for maild (HELO/EHLO,
 * MAIL, RCPT, DATA, QUIT) and prints each message it receives as one JSON line.
 */
export interface SmtpMessage {
  from: string;
  to: string[];
  /** The DATA section as received (headers, blank line, body), dot-stuffing undone, CRLF as LF. */
  data: string;
}

export interface SmtpSink {
  messages: SmtpMessage[];
  stop(): Promise<void>;
}

const SINK_PROGRAM = String.raw`
const net = require('node:net');
const server = net.createServer((socket) => {
  let buffer = '';
  let inData = false;
  let message = { from: '', to: [], data: '' };
  const reply = (line) => socket.write(line + '\r\n');
  reply('220 sink ESMTP');
  socket.on('data', (chunk) => {
    buffer += chunk.toString('latin1');
    let end;
    while ((end = buffer.indexOf('\r\n')) !== -1) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (inData) {
        if (line === '.') {
          inData = false;
          process.stdout.write(JSON.stringify(message) + '\n');
          message = { from: '', to: [], data: '' };
          reply('250 queued');
        } else {
          message.data += (line.startsWith('..') ? line.slice(1) : line) + '\n';
        }
        continue;
      }
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === 'HELO' || verb === 'EHLO') reply('250 sink');
      else if (verb === 'MAIL') { message.from = line.slice(10).trim(); reply('250 ok'); }
      else if (verb === 'RCPT') { message.to.push(line.slice(8).trim()); reply('250 ok'); }
      else if (verb === 'DATA') { inData = true; reply('354 go ahead'); }
      else if (verb === 'QUIT') { reply('221 bye'); socket.end(); }
      else reply('250 ok');
    }
  });
  socket.on('error', () => {});
});
server.listen(25, '127.0.0.1', () => process.stderr.write('listening\n'));
`;

/** Starts the sink in `netns`; resolves once it listens. Stop it in afterAll. */
export function startSmtpSink(netns: string): Promise<SmtpSink> {
  const child: ChildProcess = spawn('/usr/sbin/ip', ['netns', 'exec', netns, process.execPath, '-e', SINK_PROGRAM], { stdio: ['ignore', 'pipe', 'pipe'] });
  const messages: SmtpMessage[] = [];
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString('latin1');
    let end;
    while ((end = pending.indexOf('\n')) !== -1) {
      messages.push(JSON.parse(pending.slice(0, end)) as SmtpMessage);
      pending = pending.slice(end + 1);
    }
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('close', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let errors = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      errors += chunk.toString('utf8');
      if (errors.includes('listening')) resolve({ messages, stop });
    });
    child.once('close', (code) => reject(new Error(`the SMTP sink exited (${code}): ${errors.trim()}`)));
  });
}
