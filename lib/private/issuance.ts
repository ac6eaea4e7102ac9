import { Construct } from 'constructs';
import { Annotations, TerraformResource } from 'cdktf';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { CertRequest } from '@cdktf/provider-tls/lib/cert-request';
import { LocallySignedCert } from '@cdktf/provider-tls/lib/locally-signed-cert';
import { ICertificateAuthority } from '../certificate-authority';
import { DistinguishedName } from '../distinguished-name';
import { ResolvedKeyOptions, createPrivateKey } from './key-pair';
import { toProviderSubject } from './subject';
import { MAX_VALIDITY_HOURS } from '../limits';
import { Problems, isKnown } from './validation';

/** The key usages every CA certificate carries (keyCertSign only ever on CAs). */
export const CA_ALLOWED_USES = ['cert_signing', 'crl_signing', 'digital_signature'];

/** What a certificate signed by an issuer needs. */
export interface IssueOptions {
  readonly issuer: ICertificateAuthority;
  readonly subject: DistinguishedName;
  readonly key: ResolvedKeyOptions;
  readonly allowedUses: string[];
  readonly isCa: boolean;
  readonly maxPathLength?: number;
  readonly dnsNames?: string[];
  readonly ipAddresses?: string[];
  readonly validityPeriodHours: number;
  readonly earlyRenewalHours: number;
}

/** The resources behind an issued certificate. */
export interface Issued extends Signed {
  readonly key: PrivateKey;
  /** The key's PEM as the request took it: one token, where each read of `key.privateKeyPem` makes another. */
  readonly keyPem: string;
}

/** A request and the certificate its issuer signed. */
export interface Signed {
  readonly request: CertRequest;
  readonly cert: LocallySignedCert;
}

/**
 * Creates a key, a CSR and the certificate the issuer signs, with ids `key`, `csr` and `cert`
 * (Terraform addresses: part of the contract, never to be renamed).
 */
export function issueCertificate(scope: Construct, options: IssueOptions): Issued {
  const key = createPrivateKey(scope, options.key, options.isCa);
  const keyPem = key.privateKeyPem;
  const signed = signRequest(scope, options, keyPem);
  replacedWithKey(signed.request, key);
  return { key, keyPem, ...signed };
}

/** A CSR made with `keyPem` (id `csr`) and the certificate the issuer signs (id `cert`), for a key made elsewhere. */
export function signRequest(scope: Construct, options: IssueOptions, keyPem: string): Signed {
  const request = new CertRequest(scope, 'csr', {
    privateKeyPem: keyPem,
    subject: [toProviderSubject(options.subject)],
    dnsNames: options.dnsNames,
    ipAddresses: options.ipAddresses,
  });
  const cert = new LocallySignedCert(scope, 'cert', {
    certRequestPem: request.certRequestPem,
    caCertPem: options.issuer.certPem,
    caPrivateKeyPem: options.issuer.privateKeyPem,
    allowedUses: options.allowedUses,
    isCaCertificate: options.isCa,
    setSubjectKeyId: true,
    validityPeriodHours: options.validityPeriodHours,
    earlyRenewalHours: options.earlyRenewalHours,
  });
  setMaxPathLength(cert, options.maxPathLength);
  passKeyWriteOnly(request, 'private_key_pem', keyPem);
  passKeyWriteOnly(cert, 'ca_private_key_pem', options.issuer.privateKeyPem);
  return { request, cert };
}

/**
 * The version of every write-only key attribute. The tls provider stores only this number and re-signs when it
 * changes; a new CA key always comes with a new CA certificate (`ca_cert_pem`), which re-signs anyway, so it stays 1.
 */
export const KEY_WRITE_ONLY_VERSION = 1;

/**
 * Hands a key to a tls resource through its write-only `<attribute>_wo` (tls provider #645, not in the 11.x
 * binding, hence the escape hatch) instead of `<attribute>`, which keeps a copy of the key in that resource's
 * state: a CA key would be stored once more per certificate it signed. The key then lives in the state once, in
 * its `tls_private_key`. State written before this still holds the copies: the deploy removes them
 * (app/key-copies.ts) without re-signing anything.
 */
export function passKeyWriteOnly(resource: TerraformResource, attribute: string, keyPem: string): void {
  resource.addOverride(attribute, undefined);
  resource.addOverride(`${attribute}_wo`, keyPem);
  resource.addOverride(`${attribute}_wo_version`, KEY_WRITE_ONLY_VERSION);
}

/**
 * A write-only key leaves no trace in the plan: a new key (a new size, a key edited away) would leave the request or
 * self-signed certificate that took the old one in place, and the certificate would no longer match its key. So the
 * resource that takes a key is replaced whenever its key is. (A new issuer key comes with a new issuer certificate,
 * which re-signs anyway.)
 */
export function replacedWithKey(resource: TerraformResource, key: PrivateKey): void {
  // A plain address: the engine refuses the `${...}` form cdktf renders for a resource object here.
  const address = `${key.terraformResourceType}.${key.friendlyUniqueId}`;
  resource.lifecycle = { ...resource.lifecycle, replaceTriggeredBy: [...(resource.lifecycle?.replaceTriggeredBy ?? []), address] };
}

/** `max_path_length` exists from tls 4.2.0; the 4.1.0 binding lacks it, so set it by override. */
export function setMaxPathLength(cert: { addOverride(path: string, value: unknown): void }, maxPathLength?: number): void {
  if (maxPathLength !== undefined) cert.addOverride('max_path_length', maxPathLength);
}

/** Checks validity and renewal hours, and that a certificate does not outlive its issuer. */
export function checkValidity(
  problems: Problems,
  scope: Construct,
  validityPeriodHours: number,
  earlyRenewalHours: number,
  issuer?: ICertificateAuthority,
): void {
  if (!isKnown(validityPeriodHours) || !isKnown(earlyRenewalHours)) return;
  if (!Number.isInteger(validityPeriodHours) || validityPeriodHours <= 0) {
    problems.add('validityPeriodHours', validityPeriodHours, 'is not a positive whole number of hours', 'use e.g. 17520 for two years');
  }
  if (!Number.isInteger(earlyRenewalHours) || earlyRenewalHours < 0) {
    problems.add('earlyRenewalHours', earlyRenewalHours, 'is not a whole number of hours, 0 or more', 'use e.g. 720 for 30 days, or 0 for none');
  } else if (earlyRenewalHours >= validityPeriodHours) {
    Annotations.of(scope).addWarning(
      `earlyRenewalHours (${earlyRenewalHours}) is not less than validityPeriodHours (${validityPeriodHours}): ` +
        'the certificate is due for renewal at once and is re-issued on every deploy',
    );
  }
  for (const [field, hours] of [['validityPeriodHours', validityPeriodHours], ['earlyRenewalHours', earlyRenewalHours]] as const) {
    if (hours > MAX_VALIDITY_HOURS) {
      problems.add(field, hours, `is more than ${MAX_VALIDITY_HOURS} hours (100 years), past which the engine's clock overflows into a date before the issue`, 'use e.g. 87600 for ten years');
    }
  }
  if (issuer && isKnown(issuer.validityPeriodHours) && validityPeriodHours > issuer.validityPeriodHours) {
    problems.add(
      'validityPeriodHours',
      validityPeriodHours,
      `is longer than its issuer ${issuer.node.path} (${issuer.validityPeriodHours} hours)`,
      `use at most ${issuer.validityPeriodHours}, or extend the issuer's validity`,
    );
  }
}

/**
 * Checks that `issuer` can sign here: an `ExternalCa` holds no key (the enterprise signs with it), and an
 * `ExternallySignedCa` signs nothing until the enterprise CA has returned its certificate.
 */
export function checkCanSign(problems: Problems, issuer: ICertificateAuthority): void {
  if (issuer.privateKeyPem === '') {
    problems.add('issuer', issuer.node.path, 'is a CA whose key is not held here (an ExternalCa)', 'sign through an ExternallySignedCa: a key of ours, its request signed by that CA');
  } else if (issuer.certPem === '') {
    problems.add('issuer', issuer.node.path, 'has no signed certificate yet', 'take its certificate signing request to the enterprise CA and give the certificate it returns as certPem');
  }
}

/** Checks a CA's path length, and that its issuer (if any) may sign a CA with that many below it. */
export function checkPathLength(problems: Problems, maxPathLength: number | undefined, issuer?: ICertificateAuthority): void {
  if (maxPathLength === undefined || !isKnown(maxPathLength)) return;
  if (!Number.isInteger(maxPathLength) || maxPathLength < 0) {
    problems.add('maxPathLength', maxPathLength, 'is not a whole number, 0 or more', 'use 0 for a CA that signs only leaf certificates');
    return;
  }
  const limit = issuer?.maxPathLength;
  if (limit !== undefined && maxPathLength >= limit) {
    problems.add(
      'issuer',
      issuer!.node.path,
      `has path length ${limit}, too short to sign a CA with maxPathLength ${maxPathLength}`,
      `set maxPathLength to at least ${maxPathLength + 1} on the issuer, or sign this CA with its parent`,
    );
  }
}
