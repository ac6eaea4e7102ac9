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
 */
public class JavaMqttClient {
  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    char[] password = System.getenv(args[4]).toCharArray();

    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(args[2])) {
      keys.load(in, password);
    }
    KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, password);

    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    int n = 0;
    try (InputStream in = new FileInputStream(args[3])) {
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
}
