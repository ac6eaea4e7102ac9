import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * An MQTT client as a Java product sees the PKI: its key and chain from a PKCS#12 key store, the server's CAs
 * from a PEM bundle, the server name checked against the certificate. Connects, sends an MQTT 3.1.1 CONNECT and
 * exits 0 when the broker answers CONNACK "accepted".
 *
 * Run with the JDK's source launcher: java JavaMqttClient.java HOST PORT KEYSTORE.p12 CA.pem PASSWORD_ENV
 * or, with the PEM files as uploaded to a product: java JavaMqttClient.java HOST PORT CERT.pem KEY.key CA.pem --pem
 * (the key PKCS#1 or PKCS#8 RSA, unencrypted).
 */
public class JavaMqttClient {
  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    boolean pem = args.length > 5 && args[5].equals("--pem");
    char[] password = pem ? new char[0] : System.getenv(args[4]).toCharArray();

    KeyStore keys = pem ? pemKeyStore(args[2], args[3]) : KeyStore.getInstance("PKCS12");
    if (!pem) {
      try (InputStream in = new FileInputStream(args[2])) {
        keys.load(in, password);
      }
    }
    KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, password);

    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    int n = 0;
    try (InputStream in = new FileInputStream(args[pem ? 4 : 3])) {
      for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + n++, ca);
      }
    }
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);

    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port)) {
      SSLParameters parameters = socket.getSSLParameters();
      // Check the server's name against its subjectAltName, as a careful MQTT client does.
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.startHandshake();

      byte[] clientId = "java-pkcs12".getBytes(StandardCharsets.UTF_8);
      ByteArrayOutputStream connect = new ByteArrayOutputStream();
      // Protocol "MQTT", level 4 (3.1.1), clean session, keep-alive 60 s, then the client id.
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
          + "; CONNACK return code " + connack[3]);
      System.exit(connack[0] == 0x20 && connack[3] == 0 ? 0 : 3);
    }
  }

  /** A key store in memory with the key of KEY_FILE (PKCS#1 or PKCS#8 PEM) and the certificates of CERT_FILE. */
  static KeyStore pemKeyStore(String certFile, String keyFile) throws Exception {
    String text = new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get(keyFile)), StandardCharsets.US_ASCII);
    boolean pkcs1 = text.contains("BEGIN RSA PRIVATE KEY");
    byte[] der = java.util.Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", "").trim());
    byte[] pkcs8 = pkcs1 ? wrapPkcs1(der) : der;
    java.security.PrivateKey key = java.security.KeyFactory.getInstance("RSA").generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(pkcs8));
    java.util.List<Certificate> chain = new java.util.ArrayList<>();
    try (InputStream in = new FileInputStream(certFile)) {
      chain.addAll(CertificateFactory.getInstance("X.509").generateCertificates(in));
    }
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("client", key, new char[0], chain.toArray(new Certificate[0]));
    return keys;
  }

  /** PKCS#8 PrivateKeyInfo around a PKCS#1 RSAPrivateKey: version 0, rsaEncryption with NULL parameters, the key. */
  static byte[] wrapPkcs1(byte[] pkcs1) throws Exception {
    byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(new byte[] {0x02, 0x01, 0x00});
    body.write(algorithm);
    body.write(0x04);
    body.write(derLength(pkcs1.length));
    body.write(pkcs1);
    ByteArrayOutputStream info = new ByteArrayOutputStream();
    info.write(0x30);
    info.write(derLength(body.size()));
    body.writeTo(info);
    return info.toByteArray();
  }

  static byte[] derLength(int length) {
    if (length < 0x80) return new byte[] {(byte) length};
    if (length < 0x100) return new byte[] {(byte) 0x81, (byte) length};
    return new byte[] {(byte) 0x82, (byte) (length >> 8), (byte) length};
  }
}
