import { FileKind } from '../certificate-file';
import { CertificateRole } from '../certificate-role';
import { KeyAlgorithm } from '../key';
import { CLIENT_TRUST_STORE_FILE, Product, SERVER_PEM_FILES } from './product';

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
  // Its client trust store is a Java key store: the hand-outs name client-truststore.p12 when there is one.
  javaTrustStore: true,
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
      '  client-ca.pem  the CAs whose client certificates Chariot accepts, up to the root, PEM.',
      `  ${CLIENT_TRUST_STORE_FILE}  only when PKCS#12 output is on: the same CAs as a Java trust store (PKCS12),`,
      "                 one trusted certificate entry per CA (alias: its common name), no key, password: the",
      "                 deploy's PKCS#12 password. Chariot's client trust store is a Java key store: use this",
      '                 file as that store (store type PKCS12, this password), or copy its entries into the',
      '                 store Chariot has (keytool -importkeystore -srcstoretype PKCS12 -srckeystore',
      `                 ${CLIENT_TRUST_STORE_FILE} -destkeystore CHARIOT-STORE). Give it again after every deploy`,
      '                 that changes client-ca.pem (a CA added or retired).',
      '  One CA a file, to import one at a time (keytool -importcert -trustcacerts -alias NAME -file FILE), in',
      '  the output directory: ca/engine/engine-ca.crt, ca/transmission/transmission-ca.crt, a site\'s',
      '  ca/transmission/SITE/site-ca.crt, the root ca/ca.crt; during a rotation also the new generation\'s',
      '  file beside the old (engine-ca-g2.crt, ca-g2.crt).',
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
