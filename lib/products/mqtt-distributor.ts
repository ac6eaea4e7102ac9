import { FileKind } from '../certificate-file';
import { CertificateRole } from '../certificate-role';
import { KeyAlgorithm } from '../key';
import { CLIENT_TRUST_STORE_FILE, Product, SERVER_PEM_FILES } from './product';

/**
 * Cirrus Link MQTT Distributor: an MQTT broker inside an Ignition gateway, MQTT over TLS on 8883 once TLS is on.
 * Known: it is a Java module, and every Java key store takes an RSA key. Not known here: whether it takes PEM files
 * or only a key store, and whether it accepts ECDSA; its README says so rather than guessing.
 */
export const MQTT_DISTRIBUTOR = new Product({
  id: 'mqtt-distributor',
  name: 'MQTT Distributor',
  shortName: 'MQTT Distributor',
  role: CertificateRole.SERVER,
  keyPolicy: { algorithms: [KeyAlgorithm.RSA], fix: 'use KeyAlgorithm.RSA (every Java key store takes it; ECDSA is not verified for MQTT Distributor)' },
  files: [...SERVER_PEM_FILES],
  upload: {
    title: 'MQTT Distributor: TLS files for {cn}',
    steps: [
      'Ignition Gateway > Config > MQTT Distributor > Settings: turn TLS on for its listener (8883 by default).',
      'Which of these files the module takes, and in which fields, depends on its version and is not known here:',
      "check the module's manual. These are the files there are:",
    ],
    fields: [
      { field: 'Key store', value: 'server.p12', about: 'key, certificate and chain; written only when PKCS#12 output is on' },
      { field: 'Private key', file: FileKind.PRIVATE_KEY, about: "the server's {key}" },
      { field: 'Certificate', file: FileKind.FULL_CHAIN, about: 'the certificate then its chain, PEM (server.crt: the certificate alone)' },
      { field: 'Client CAs', file: FileKind.CLIENT_CA, about: 'the CAs whose client certificates it should accept, up to the root' },
      { field: 'Trust store', value: CLIENT_TRUST_STORE_FILE, about: 'the same CAs as a PKCS#12 trust store (no key); written only when PKCS#12 output is on' },
    ],
    notes: [
      'Key password: none for the PEM key; the key store and the trust store take the PKCS#12 password of the deploy.',
      '',
      'Not known here: whether MQTT Distributor takes PEM files or only a key store, whether it accepts an ECDSA',
      'key (this one is RSA, which every Java key store takes), and how it checks client certificates.',
    ],
    serverUrlsTitle: 'MQTT Engine and MQTT Transmission connect to',
  },
});
