import { Construct } from 'constructs';
import { IntermediateCa, RootCa } from '../../lib';

/** A root with two issuing CAs, the shape of the seed hierarchy, for leaf tests. */
export function twoIssuers(scope: Construct): { root: RootCa; serverCa: IntermediateCa; clientCa: IntermediateCa } {
  const root = new RootCa(scope, 'root', { subject: { commonName: 'Test Root CA' } });
  const serverCa = new IntermediateCa(scope, 'server-ca', { issuer: root, subject: { commonName: 'Test Server CA' } });
  const clientCa = new IntermediateCa(scope, 'client-ca', { issuer: root, subject: { commonName: 'Test Client CA' } });
  return { root, serverCa, clientCa };
}
