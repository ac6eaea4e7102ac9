import { CertificateRole, FileKind, KeyAlgorithm, Product, SERVER_PEM_FILES } from '../lib';
import { CHARIOT } from '../lib/products/chariot';

describe('the products', () => {
  test('every file in lib/products/ that declares a product is found, by id', () => {
    expect(Product.all().map((p) => p.id)).toEqual(expect.arrayContaining(['chariot', 'mqtt-engine', 'mqtt-transmission']));
    expect(Product.find('chariot')).toBe(CHARIOT);
    expect(Product.find('no-such-product')).toBeUndefined();
  });

  test('servers and clients are told apart by their role', () => {
    expect(Product.withRole(CertificateRole.SERVER).map((p) => p.id)).toContain('chariot');
    expect(Product.withRole(CertificateRole.CLIENT).map((p) => p.id)).toEqual(expect.arrayContaining(['mqtt-engine', 'mqtt-transmission']));
  });

  test.each(Product.all().map((p) => [p.id, p] as const))('%s: a file name and a construct id once each, and a key file', (_, product) => {
    const unique = (values: string[]) => new Set(values).size === values.length;
    expect(unique(product.files.map((f) => f.name))).toBe(true);
    expect(unique(product.files.map((f) => f.id))).toBe(true);
    expect(product.fileName(FileKind.PRIVATE_KEY)).toBeDefined();
    expect(product.fileName(FileKind.CERT)).toBeDefined();
  });

  test('the server PEM files keep the names and Terraform addresses of the first release', () => {
    // Renaming an id would replace that file's resource in every deployed PKI: this list is a contract.
    expect(SERVER_PEM_FILES.map((f) => [f.name, f.id])).toEqual([
      ['server.key', 'key-file'],
      ['server.crt', 'cert-file'],
      ['ca-chain.pem', 'ca-chain-file'],
      ['fullchain.pem', 'fullchain-file'],
      ['client-ca.pem', 'client-ca-file'],
    ]);
  });

  test.each(Product.withRole(CertificateRole.SERVER).map((p) => [p.id, p] as const))('%s takes every server PEM file, under its shared name and id', (_, product) => {
    expect(product.files).toEqual(expect.arrayContaining([...SERVER_PEM_FILES]));
  });

  test('Chariot accepts only RSA server keys', () => {
    expect(CHARIOT.keyAlgorithms).toEqual([KeyAlgorithm.RSA]);
  });

  test("Chariot's client trust store is a Java key store; a product's is not, unless it says so", () => {
    expect(CHARIOT.javaTrustStore).toBe(true);
    const plain = new Product({
      id: 'plain', name: 'Plain', shortName: 'Plain', role: CertificateRole.SERVER, files: [...SERVER_PEM_FILES],
      upload: { title: 't', steps: [], notes: [], serverUrlsTitle: 's', fields: [] },
    });
    expect(plain.javaTrustStore).toBe(false);
  });

  test('a product whose upload screen names a file it does not take is refused', () => {
    expect(() => new Product({
      id: 'broken', name: 'Broken', shortName: 'Broken', role: CertificateRole.SERVER,
      files: [{ kind: FileKind.CERT, name: 'c.pem', id: 'cert-file' }],
      upload: { title: 't', steps: [], notes: [], serverUrlsTitle: 's', fields: [{ field: 'Key', file: FileKind.PRIVATE_KEY, about: 'k' }] },
    })).toThrow('product broken: upload fields name files it does not take: Key');
  });
});
