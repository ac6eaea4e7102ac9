/**
 * `npx ts-node --transpile-only bench/rotation.ts [N]` (default N = 100): how long the remedy for brokers that cannot
 * check CRLs takes, rotating the Transmission CA of N gateways in its three deploys (docs/operate.md, "Revoking a
 * client"), after a first deploy that is not counted. Also times signing one CRL with the 4096-bit CA key, empty and
 * with N revoked serials. Prints a markdown table; the directory is removed at the end.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { signCrl } from '../app/crl';

const PROJECT = path.resolve(__dirname, '..');

function deploy(dir: string, config: Record<string, unknown>): number {
  fs.writeFileSync(path.join(dir, 'chariot-tls.json'), JSON.stringify({ outputDirectory: 'pki', backend: { type: 'local', path: 'terraform.tfstate' }, ...config }));
  const start = process.hrtime.bigint();
  execFileSync('npm', ['run', '--silent', 'deploy', '--', '--output', path.join(dir, 'cdktf.out')], {
    cwd: PROJECT, env: { ...process.env, CHARIOT_TLS_CONFIG: path.join(dir, 'chariot-tls.json') }, stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 28,
  });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function crlSeconds(dir: string, entries: number): Promise<number> {
  const caCert = fs.readFileSync(path.join(dir, 'pki', 'ca', 'transmission', 'transmission-ca-g2.crt'), 'utf8');
  // Any 4096-bit key shows the signing cost; the check against the certificate then refuses it, after signing.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 4096 });
  const serials = Array.from({ length: entries }, () => randomBytes(16).toString('hex'));
  const start = process.hrtime.bigint();
  await signCrl(caCert, privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), {
    entries: serials.map((serial) => ({ serial, revokedAt: new Date(), reasonCode: 1 })),
    thisUpdate: new Date(), nextUpdate: new Date(Date.now() + 3_600_000), crlNumber: 1,
  }).catch(() => undefined);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 100);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-rotation-bench-'));
  try {
    const base = { server: { dnsNames: ['localhost'] }, engineClients: ['engine'], transmissionClients: Array.from({ length: n }, (_, i) => `edge-${i + 1}`) };
    const first = deploy(dir, base);
    const steps = ['issuing', 'trusted', 'retired'].map((previous) => [previous, deploy(dir, { ...base, caGenerations: { transmissionCa: { generation: 2, previous } } })] as const);
    const empty = await crlSeconds(dir, 0);
    const full = await crlSeconds(dir, n);
    const rows = [
      `| first deploy (not counted) | ${first.toFixed(1)} s |`,
      ...steps.map(([previous, seconds], i) => `| step ${i + 1} ("${previous}") | ${seconds.toFixed(1)} s |`),
      `| **rotation, 3 deploys** | **${steps.reduce((sum, [, s]) => sum + s, 0).toFixed(1)} s** |`,
      `| signing one CRL, RSA 4096, empty | ${(empty * 1000).toFixed(0)} ms |`,
      `| signing one CRL, RSA 4096, ${n} serials | ${(full * 1000).toFixed(0)} ms |`,
    ];
    console.log([`Transmission CA rotation, ${n} gateways, on ${os.cpus().length} cores (load before: ${os.loadavg()[0].toFixed(1)})`, '', '| step | wall time |', '| --- | --- |', ...rows].join('\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
