import { Construct } from 'constructs';
import { Lazy, TerraformResource } from 'cdktf';
import { DataTlsCertificate } from '@cdktf/provider-tls/lib/data-tls-certificate';
import { literalText } from './template';

/** Where the upstream bug, its reproduction and the one-line fix are written up. */
export const PATH_LENGTH_DOCS = 'docs/package.md, "The path length check"';

/**
 * Reads the CA certificate the provider issued back (`data.tls_certificate`, child id `path-length-check`) and fails
 * the deploy, naming the CA, when its basicConstraints do not carry `maxPathLength`. hashicorp/tls up to 4.3.0 sets
 * Go's `MaxPathLen` without `MaxPathLenZero`, so `max_path_length = 0` silently issues a CA with no limit at all;
 * this check is how an app deployed with plain `cdktf deploy` and a stock provider learns of it. One read per CA,
 * none per leaf. A data source is not a managed resource: adding it plans no change to a deployed PKI.
 */
export function checkIssuedPathLength(scope: Construct, certificate: TerraformResource & { readonly certPem: string }, maxPathLength?: number): void {
  if (maxPathLength === undefined) return;
  // The address is only final at synth time (a consumer may override the logical id).
  const address = Lazy.stringValue({ produce: () => `${certificate.terraformResourceType}.${certificate.friendlyUniqueId}` });
  const actual = '${self.certificates[0].max_path_length < 0 ? "no path length limit" : "path length ${self.certificates[0].max_path_length}"}';
  new DataTlsCertificate(scope, 'path-length-check', {
    content: certificate.certPem,
    lifecycle: {
      postcondition: [{
        condition: `\${self.certificates[0].max_path_length == ${maxPathLength}}`,
        errorMessage: [
          `chariot-tls: CA ${literalText(scope.node.path)} asked for path length ${maxPathLength} (maxPathLength), but the certificate the tls provider issued has ${actual}.`,
          'This is the hashicorp/tls provider bug that drops pathlen:0 (it sets MaxPathLen without MaxPathLenZero; every release up to 4.3.0):',
          'a CA meant to sign only leaf certificates may sign further CAs.',
          `Fix: deploy with a tls provider built with the one-line fix (${PATH_LENGTH_DOCS}), then issue this certificate again`,
          `(apply once with -replace=${address}), or set maxPathLength: undefined on this CA to accept no limit knowingly.`,
        ].join(' '),
      }],
    },
  });
}
