// Run by host-addresses.test.ts inside a network namespace: prints what the alert would protect.
import { listHostAddresses } from '../../src/cli/host-addresses.js';

void listHostAddresses().then((addresses) => process.stdout.write(JSON.stringify(addresses)));
