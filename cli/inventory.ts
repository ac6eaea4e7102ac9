import * as fs from 'node:fs';
import * as path from 'node:path';
import { subjectText } from '../app/plan-facts';
import type { CliIo } from './chariot-tls';

/** What a synthesized stack declares for one certificate: no key or certificate material, only its configuration. */
export interface SynthesizedCertificate {
  /** The construct path under the stack, e.g. `server-ca` or `site-a/edge-1`. */
  readonly construct: string;
  readonly role: 'root CA' | 'intermediate CA' | 'server' | 'client' | 'certificate';
  readonly subject: string;
  /** The issuing CA's construct path; undefined when self-signed. */
  readonly issuer?: string;
  readonly key: string;
  readonly names: string[];
  readonly allowedUses: string[];
  /** null: no path length limit; undefined: not a CA. */
  readonly maxPathLength?: number | null;
  readonly validityPeriodHours: number;
  readonly earlyRenewalHours: number;
  /** The files the construct writes; private keys marked. */
  readonly files: { readonly path: string; readonly secret: boolean }[];
}

const CERTIFICATES = ['tls_self_signed_cert', 'tls_locally_signed_cert'];
const FILES = ['local_file', 'local_sensitive_file'];
/** A reference to another resource's attribute, as cdktf writes it: `${tls_locally_signed_cert.NAME.cert_pem}`. */
const REFERENCE = /^\$\{([\w-]+\.[\w-]+)\.[\w]+\}$/;

/**
 * `chariot-tls inventory [cdktf.out] [--json]`: for each stack `cdktf synth` wrote (manifest.json), the certificates
 * its cdk.tf.json declares, read from the resources themselves, so it works on any app built from the constructs.
 */
export function inventoryCommand(dir: string, options: { json?: boolean }, io: CliIo): number {
  const outDir = path.resolve(io.cwd, dir);
  let stacks: { name: string; file: string; certificates: SynthesizedCertificate[] }[];
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(outDir, 'manifest.json'), 'utf8'));
    stacks = Object.entries<any>(manifest.stacks ?? {}).map(([name, stack]) => {
      const file = path.join(outDir, stack.synthesizedStackPath);
      return { name, file, certificates: synthesizedCertificates(JSON.parse(fs.readFileSync(file, 'utf8'))) };
    });
  } catch (e) {
    io.stderr(`chariot-tls inventory: cannot read the synthesized stacks under ${outDir} (${(e as Error).message}); run \`cdktf synth\` first\n`);
    return 1;
  }
  if (options.json) {
    io.stdout(`${JSON.stringify({ stacks: stacks.map((s) => ({ name: s.name, file: s.file, certificates: s.certificates })) }, null, 2)}\n`);
    return 0;
  }
  io.stdout(`chariot-tls inventory: ${stacks.map((s) => `${s.file} (${s.certificates.length} certificates)`).join(', ') || `no stack in ${outDir}`}\n`);
  for (const stack of stacks) io.stdout(`\n${markdown(stack.name, stack.certificates)}`);
  return 0;
}

/** The certificates of one stack's cdk.tf.json, each CA before what it signs, siblings by construct path. */
export function synthesizedCertificates(synthesized: any): SynthesizedCertificate[] {
  const resources = Object.entries<any>(synthesized.resource ?? {}).flatMap(([type, blocks]) =>
    Object.entries<any>(blocks).map(([name, body]) => ({ type, address: `${type}.${name}`, path: String(body['//']?.metadata?.path ?? name).split('/').slice(1).join('/'), body })),
  );
  const byAddress = new Map(resources.map((r) => [r.address, r]));
  const child = (construct: string, id: string) => resources.find((r) => r.path === `${construct}/${id}`)?.body;
  const constructOf = (reference: unknown) => {
    const address = REFERENCE.exec(String(reference ?? ''))?.[1];
    const found = address === undefined ? undefined : byAddress.get(address);
    return found && path.posix.dirname(found.path);
  };
  const certificates = resources.filter((r) => CERTIFICATES.includes(r.type)).map((r): SynthesizedCertificate => {
    const construct = path.posix.dirname(r.path);
    const selfSigned = r.type === 'tls_self_signed_cert';
    const request = selfSigned ? r.body : child(construct, 'csr') ?? {};
    const key = child(construct, 'key') ?? {};
    const uses: string[] = r.body.allowed_uses ?? [];
    const isCa = r.body.is_ca_certificate === true;
    return {
      construct,
      role: selfSigned && isCa ? 'root CA' : isCa ? 'intermediate CA' : uses.includes('server_auth') ? 'server' : uses.includes('client_auth') ? 'client' : 'certificate',
      subject: literal(subjectText(request.subject)),
      issuer: selfSigned ? undefined : constructOf(r.body.ca_cert_pem),
      key: key.algorithm === 'ECDSA' ? `ECDSA ${key.ecdsa_curve ?? 'P224'}` : `${key.algorithm ?? '?'} ${key.rsa_bits ?? 2048}`,
      names: [...(request.dns_names ?? []).map((n: string) => `DNS:${literal(n)}`), ...(request.ip_addresses ?? []).map((n: string) => `IP:${n}`)],
      allowedUses: uses,
      maxPathLength: isCa ? r.body.max_path_length ?? null : undefined,
      validityPeriodHours: r.body.validity_period_hours,
      earlyRenewalHours: r.body.early_renewal_hours ?? 0,
      files: resources
        .filter((f) => FILES.includes(f.type) && path.posix.dirname(f.path) === construct)
        .map((f) => ({ path: literal(String(f.body.filename)), secret: f.type === 'local_sensitive_file' }))
        .sort((a, b) => (a.path < b.path ? -1 : 1)),
    };
  });
  const below = (issuer: string | undefined): SynthesizedCertificate[] =>
    certificates.filter((c) => c.issuer === issuer).sort((a, b) => (a.construct < b.construct ? -1 : 1)).flatMap((c) => [c, ...below(c.construct)]);
  return below(undefined);
}

function markdown(stack: string, certificates: SynthesizedCertificate[]): string {
  const depth = (c: SynthesizedCertificate): number => {
    const issuer = certificates.find((i) => i.construct === c.issuer);
    return issuer ? 1 + depth(issuer) : 0;
  };
  const lines = [`# PKI inventory of stack ${stack}`, '', '## Hierarchy', ''];
  lines.push(...certificates.map((c) => `${'  '.repeat(depth(c))}- **${cell(c.subject)}**: ${c.role} (\`${c.construct}\`)`));
  for (const c of certificates) {
    const rows: [string, string][] = [
      ['Role', c.role],
      ['Subject', c.subject],
      ['Issuer', c.issuer === undefined ? 'self-signed' : `\`${c.issuer}\``],
      ['Subject alternative names', c.names.join(', ') || 'none'],
      ['Key', c.key],
      ['Allowed uses', c.allowedUses.join(', ')],
      ['Basic constraints', c.maxPathLength === undefined ? 'not a CA' : c.maxPathLength === null ? 'CA, no path length limit' : `CA, path length ${c.maxPathLength}`],
      ['Validity', `${c.validityPeriodHours} hours`],
      ['Renewal', c.earlyRenewalHours === 0 ? 'not before expiry' : `in its last ${c.earlyRenewalHours} hours`],
      ['Files', c.files.map((f) => `\`${f.path}\`${f.secret ? ' (private key, 0600)' : ''}`).join(', ') || 'none'],
    ];
    lines.push('', `### ${cell(c.subject)} (\`${c.construct}\`)`, '', '| Field | Value |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`));
  }
  return `${lines.join('\n')}\n`;
}

/** A value as the engine reads it: Terraform's escapes `$${` and `%%{` stand for `${` and `%{`. */
function literal(text: string): string {
  return text.replace(/([$%])\1\{/g, '$1{');
}

function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}
