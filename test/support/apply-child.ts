// A child process that runs one applyFirewall call, as one execd invocation would: argv[2] is the JSON job.
import { applyFirewall } from '../../src/firewall/index.js';
import { parseIpAddress } from '../../src/geo/ip-address.js';

interface Job {
  action: 'add' | 'delete';
  ip: string;
  backend: 'nftables' | 'ipset' | 'iptables';
  expireSeconds: number;
  lockDir: string;
  binDir: string;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
applyFirewall(
  { action: job.action, address: parseIpAddress(job.ip), decision: 'block', expireSeconds: job.expireSeconds, ossecArgs: [job.action] },
  { backend: job.backend, expire_seconds: job.expireSeconds, dry_run: false },
  { env: {}, lockDir: job.lockDir, binDirs: [job.binDir] },
).then((outcome) => process.stdout.write(`${JSON.stringify(outcome.fields)}\n`));
