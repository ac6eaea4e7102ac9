import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.FileInputStream;
import java.io.FileReader;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * An MQTT client as MQTT Engine and MQTT Transmission read their upload fields: ca.pem, cert.pem and private.key
 * as PEM, the key through Bouncy Castle's PEMParser and, when it is encrypted, decrypted with the "Password"
 * field's value (PKCS#8: JceOpenSSLPKCS8DecryptorProviderBuilder; the legacy Proc-Type form: JcePEMDecryptorProviderBuilder).
 * Connects with the server name checked against its certificate, sends an MQTT 3.1.1 CONNECT and exits 0 when the
 * broker answers CONNACK "accepted"; exits 2 when the key cannot be read with the password.
 *
 * Run with the JDK's source launcher and Debian's libbcpkix-java on the class path:
 *   java -cp /usr/share/java/bcprov.jar:/usr/share/java/bcpkix.jar:/usr/share/java/bcutil.jar \
 *     JavaPemMqttClient.java HOST PORT ca.pem cert.pem private.key PASSWORD_ENV
 * PASSWORD_ENV names the environment variable with the key password ("" for an unencrypted key).
 */
public class JavaPemMqttClient {
  public static void main(String[] args) throws Exception {
    Security.addProvider(new BouncyCastleProvider());
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    char[] password = args[5].isEmpty() ? new char[0] : System.getenv(args[5]).toCharArray();

    PrivateKey key;
    try {
      key = readKey(args[4], password);
    } catch (Exception e) {
      System.out.println("cannot read the key: " + e);
      System.exit(2);
      return;
    }
    Collection<? extends Certificate> chain;
    try (InputStream in = new FileInputStream(args[3])) {
      chain = CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
    char[] storePassword = "in-memory".toCharArray();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("client", key, storePassword, chain.toArray(new Certificate[0]));
    KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, storePassword);

    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    int n = 0;
    try (InputStream in = new FileInputStream(args[2])) {
      for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + n++, ca);
      }
    }
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);

    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port)) {
      socket.setSoTimeout(20_000);
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.startHandshake();

      byte[] clientId = "java-pem".getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream connect = new ByteArrayOutputStream();
      connect.write(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, (byte) clientId.length});
      connect.write(clientId);
      OutputStream out = socket.getOutputStream();
      out.write(0x10);
      out.write(connect.size());
      connect.writeTo(out);
      out.flush();

      byte[] connack = new byte[4];
      new DataInputStream(socket.getInputStream()).readFully(connack);
      System.out.println("TLS " + socket.getSession().getProtocol() + " as " + socket.getSession().getLocalPrincipal().getName()
          + " with a " + key.getAlgorithm() + " key; CONNACK return code " + connack[3]);
      System.exit(connack[0] == 0x20 && connack[3] == 0 ? 0 : 3);
    }
  }

  /** The key in a PEM file, as PEMParser reads it: PKCS#8 (plain or encrypted) or PKCS#1/SEC 1 (plain or Proc-Type encrypted). */
  static PrivateKey readKey(String file, char[] password) throws Exception {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider("BC");
    try (PEMParser parser = new PEMParser(new FileReader(file, StandardCharsets.US_ASCII))) {
      Object pem = parser.readObject();
      if (pem instanceof PKCS8EncryptedPrivateKeyInfo) {
        PKCS8EncryptedPrivateKeyInfo encrypted = (PKCS8EncryptedPrivateKeyInfo) pem;
        return converter.getPrivateKey(encrypted.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider("BC").build(password)));
      }
      if (pem instanceof PEMEncryptedKeyPair) {
        return converter.getKeyPair(((PEMEncryptedKeyPair) pem).decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider("BC").build(password))).getPrivate();
      }
      if (pem instanceof PEMKeyPair) return converter.getKeyPair((PEMKeyPair) pem).getPrivate();
      if (pem instanceof PrivateKeyInfo) return converter.getPrivateKey((PrivateKeyInfo) pem);
      throw new IllegalArgumentException("not a private key: " + (pem == null ? "nothing" : pem.getClass().getSimpleName()));
    }
  }
}
