import { FileKind } from '../certificate-file';
import { CertificateRole } from '../certificate-role';
import { ProductProps } from './product';

/**
 * MQTT Engine and MQTT Transmission are Ignition modules with the same TLS settings screen: one connection
 * per server, each with a CA file, a client certificate file and a key file, by these names.
 */
export function ignitionModule(id: string, name: string): ProductProps {
  return {
    id,
    name,
    shortName: name,
    role: CertificateRole.CLIENT,
    files: [
      { kind: FileKind.SERVER_CA, name: 'ca.pem', id: 'ca-file' },
      { kind: FileKind.CERT, name: 'cert.pem', id: 'cert-file' },
      { kind: FileKind.PRIVATE_KEY, name: 'private.key', id: 'key-file' },
    ],
    upload: {
      title: `${name}: TLS client files for "{cn}"`,
      steps: [`Ignition Gateway > Config > ${name} > Settings > Servers: in the Chariot server's connection,`, 'set these fields:'],
      fields: [
        { field: 'URL', value: 'ssl://HOST:{port}', about: "HOST: a name in Chariot's certificate, see below" },
        { field: 'CA Certificate File', file: FileKind.SERVER_CA, about: `the CAs ${name} trusts to verify Chariot, up to the root` },
        { field: 'Client Certificate File', file: FileKind.CERT, about: "this client's certificate (CN={cn})" },
        { field: 'Client Private Key File', file: FileKind.PRIVATE_KEY, about: 'its {key}' },
        {
          field: 'Password',
          value: '(leave empty)',
          about: 'the key is not encrypted',
          whenKeyEncrypted: { value: 'the key password', about: 'private.key is encrypted; the password: {password}' },
        },
      ],
      notes: [
        'Keep the file names: the module expects names ending in ca.pem, cert.pem and private.key.',
        'Also here: client.p12, only when PKCS#12 output is on (key, certificate and chain for a Java key store).',
      ],
      serverUrlsTitle: 'Server URL, one of',
    },
  };
}
