import { UserError } from './user-error';

/**
 * The vocabulary of revocation shared by the configuration, the revocation record and the CRLs: reasons by their
 * RFC 5280 names and codes, and the default CRL lifetime.
 */

/**
 * The RFC 5280 (5.3.1) reasons a client certificate can be revoked for, with their CRL reason codes. Left out:
 * `cACompromise` and `aACompromise` (a CA's, not a client's), `certificateHold` and `removeFromCRL` (a revocation
 * here is final: a client that comes back gets a new key and serial).
 */
export const REVOCATION_REASON_CODES = {
  unspecified: 0,
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  privilegeWithdrawn: 9,
} as const;

/** A reason a client certificate is revoked for, e.g. `keyCompromise` for a stolen gateway. */
export type RevocationReason = keyof typeof REVOCATION_REASON_CODES;

/** The reasons, for the configuration schema and its messages. */
export const REVOCATION_REASONS = Object.keys(REVOCATION_REASON_CODES) as [RevocationReason, ...RevocationReason[]];

/** One entry of the configuration's `revoked` list. */
export interface RevokedClient {
  /** The Engine or Transmission client whose certificate is revoked. */
  readonly name: string;
  /** Why: listed in the CRL entry and the inventory. */
  readonly reason: RevocationReason;
}

/** How long a CRL is valid and when a deploy signs it again. */
export interface CrlPolicy {
  /** From thisUpdate to nextUpdate, in hours. After nextUpdate, peers that check CRLs refuse every certificate of that CA. */
  readonly validityHours: number;
  /**
   * The same for the CRL of our Root CA, whose key may be kept offline (`caKeyFiles`): no routine deploy can sign
   * it then, only one with the key present (a key ceremony).
   */
  readonly rootValidityHours: number;
  /** A deploy signs a CRL again when less than this is left before its nextUpdate, in hours. */
  readonly earlyRenewalHours: number;
}

/**
 * 30 days, re-signed from 14 days before nextUpdate: a weekly scheduled deploy gets two chances before a broker that
 * checks CRLs starts refusing everyone. The root's CRL 180 days: it lists only revoked intermediates (a client is
 * revoked in its issuing CA's CRL), and with the root key offline it is signed only when the key is brought out,
 * twice a year at this length; 6 to 12 months is the common choice for an offline root, and the shorter end limits
 * how long a CRL from before an intermediate's revocation can still be passed off as current.
 */
export const DEFAULT_CRL_POLICY: CrlPolicy = { validityHours: 720, rootValidityHours: 4320, earlyRenewalHours: 336 };

/** A revocation the configuration asks for that cannot be carried out; the message says why and what to do. */
export class RevocationError extends UserError {}
