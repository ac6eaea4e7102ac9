import { FileKind } from '../certificate-file';
import { CertificateRole } from '../certificate-role';
import { CLIENT_TRUST_STORE_FILE, Product, SERVER_PEM_FILES } from './product';

/**
 * A broker other than Cirrus Link's (Mosquitto, HiveMQ, EMQX): it takes the usual PEM files, RSA or ECDSA. The README
 * shows Mosquitto's names for them; other brokers ask for the same three things.
 */
export const THIRD_PARTY_BROKER = new Product({
  id: 'third-party-broker',
  name: 'MQTT broker (third-party)',
  shortName: 'the broker',
  role: CertificateRole.SERVER,
  files: [...SERVER_PEM_FILES],
  upload: {
    title: 'MQTT broker: TLS files for {cn}',
    steps: [
      "Point the broker's TLS listener at these files. Mosquitto (mosquitto.conf, a listener on 8883) names them so,",
      'with require_certificate true so that only clients of this PKI connect:',
    ],
    fields: [
      { field: 'certfile', file: FileKind.FULL_CHAIN, about: 'the certificate then its chain, PEM' },
      { field: 'keyfile', file: FileKind.PRIVATE_KEY, about: "the server's {key}" },
      { field: 'cafile', file: FileKind.CLIENT_CA, about: 'the CAs whose client certificates the broker accepts, up to the root' },
    ],
    notes: [
      'Key password: none. The key is not encrypted: leave every password field empty.',
      '',
      'HiveMQ and EMQX ask for the same three: the certificate with its chain, its key, and the client CAs.',
      'Also here: server.crt (the certificate alone), ca-chain.pem (its chain alone), and only when PKCS#12',
      `output is on server.p12 (key, certificate and chain for a Java key store) and ${CLIENT_TRUST_STORE_FILE}`,
      '(the client CAs as a PKCS#12 trust store, for a Java broker such as HiveMQ).',
    ],
    serverUrlsTitle: 'MQTT Engine and MQTT Transmission connect to',
  },
});
