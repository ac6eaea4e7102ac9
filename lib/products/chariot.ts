import { FileKind } from '../certificate-file';
import { CertificateRole } from '../certificate-role';
import { KeyAlgorithm } from '../key';
import { Product, SERVER_PEM_FILES } from './product';

const [KEY_FILE, ...PUBLIC_FILES] = SERVER_PEM_FILES;

/**
 * Cirrus Link Chariot MQTT Server: MQTT over TLS on 8883 and its web UI over HTTPS. It accepts only an RSA
 * server key (PKCS#1 or, from 2.3.1, PKCS#8) and takes key, certificate and chain on its Certificates page.
 */
export const CHARIOT = new Product({
  id: 'chariot',
  name: 'Chariot MQTT Server',
  shortName: 'Chariot',
  role: CertificateRole.SERVER,
  keyPolicy: { algorithms: [KeyAlgorithm.RSA], fix: 'use KeyAlgorithm.RSA (PKCS#1 or PKCS#8)' },
  // Chariot 2.3.1+ also takes a PKCS#8 key: the same key in a file of its own, written after the PKCS#1 one.
  files: [KEY_FILE, { kind: FileKind.PRIVATE_KEY_PKCS8, name: 'server.pkcs8.key', id: 'pkcs8-key-file' }, ...PUBLIC_FILES],
  upload: {
    title: 'Chariot MQTT Server: TLS files for {cn}',
    steps: [
      'Chariot web UI > Configuration > System > Certificates: upload these three with the links on the right,',
      'then click "Setup SSL".',
    ],
    fields: [
      { field: 'Private Key', file: FileKind.PRIVATE_KEY, about: "the server's {key} (server.pkcs8.key is the same key as PKCS#8 PEM: Chariot 2.3.1+ takes either)" },
      { field: 'Server Certificate', file: FileKind.CERT, about: 'the server certificate, PEM' },
      { field: 'Root CA Chain', file: FileKind.CA_CHAIN, about: 'the issuing CA, then its issuers up to the Root CA, PEM' },
    ],
    notes: [
      'Key password: none. The key is not encrypted: leave every password field empty.',
      '',
      'Client trust store (client certificate authentication, Chariot 2.3.1+):',
      '  client-ca.pem  the CAs whose client certificates Chariot accepts, up to the root:',
      "                 put each into Chariot's client trust store.",
      '',
      'Also here, not uploaded to Chariot:',
      '  fullchain.pem  the certificate then its chain, for servers that take one file (Mosquitto, nginx)',
      '  server.p12     only when PKCS#12 output is on: key, certificate and chain for a Java key store',
      '  crl.pem        the CRLs of the CAs in client-ca.pem, for brokers that check revocation (Mosquitto:',
      '                 crlfile). A CRL expires (its nextUpdate): copy crl.pem again after every deploy.',
      '',
      'Revocation: a broker that cannot check CRLs keeps accepting a revoked client until its certificate',
      'expires. For such a broker, rotate the client\'s issuing CA instead (docs/operate.md, "Revoking a client").',
    ],
    serverUrlsTitle: 'MQTT Engine and MQTT Transmission connect to',
  },
});
