import { ChariotPki, ExternallySignedCa } from '../lib';
import { stateResources } from './ca-keys';
import { AppConfig, ConfigError, invalidConfigurationHeader } from './config';
import { ExternallySignedFiles } from './external-root';
import { requestKeyProblems } from './external-root-checks';

/**
 * The key check of a returned certificate whose request file is absent. The output folder is rewritten from the
 * state, and a hosted CI runner (a fresh checkout, shared state) has none; the state holds each request
 * (`tls_cert_request`'s `cert_request_pem`, for a CA whose key is in the state or in a key file alike), and the
 * engine's `show -json` reads it from a local or a `pg` state, encrypted or not. The check is the one made against
 * the file (app/external-root-checks.ts); the other checks were made when the configuration was read.
 */

/**
 * Refuses, before anything is written or planned, a returned certificate that is not for the key of the request in
 * the state, or whose request is neither in the output folder nor in the state. Reads the state only when some
 * certificate's request file is absent.
 */
export async function refuseKeysNotInState(config: AppConfig, pki: ChariotPki, readState: () => Promise<any>): Promise<void> {
  const unchecked = (config.externalRoot?.cas ?? []).filter((ca) => ca.keyUnchecked !== undefined);
  if (unchecked.length === 0) return;
  const resources = stateResources(await readState());
  const problems = unchecked.flatMap((ca) => {
    const address = requestAddress(pki, ca.id);
    const csrPem = resources.find((r) => r.address === address)?.values?.cert_request_pem;
    return typeof csrPem === 'string' && csrPem !== ''
      ? requestKeyProblems(ca.keyUnchecked!, { id: ca.id, csrPem, csrFile: ca.csrFile, readFrom: `the request of ${ca.id} in the state` })
      : [noRequest(ca)];
  });
  if (problems.length === 0) return;
  const source = config.configFile ?? 'the configuration';
  throw new ConfigError(`${invalidConfigurationHeader(source)}\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
}

/** `tls_cert_request.<name>`, the address of the request of our CA `id` in a `show -json` state. */
function requestAddress(pki: ChariotPki, id: string): string | undefined {
  const ca = [...pki.certificateAuthorities, ...pki.awaitingSignature].find((c): c is ExternallySignedCa => c instanceof ExternallySignedCa && c.node.id === id);
  return ca && `${ca.request.terraformResourceType}.${ca.request.friendlyUniqueId}`;
}

function noRequest(ca: ExternallySignedFiles): string {
  return `${ca.keyUnchecked!.label}: there is no request to check its key against: ${ca.csrFile} is absent, and the state holds no request of ${ca.id} `
    + '(this state is not the one that made it, or the CA was never deployed with it). Use the state of the deploy that wrote the request; '
    + 'or deploy once without the certificate (move it away) to write a new request, and have that one signed';
}
