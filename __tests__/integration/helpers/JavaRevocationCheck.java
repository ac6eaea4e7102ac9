import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.KeyStore;
import java.security.cert.CRL;
import java.security.cert.CertStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * A Java TLS server and a Java TLS client, both checking revocation the PKIX way: the CAs from a PEM bundle, the
 * CRLs from PEM files in a CertStore, revocation checking on, OCSP off. The server (127.0.0.1, a free port) requires
 * a client certificate; the client checks the server's name ("localhost"). Both read key stores as PKCS#12.
 * Prints "accepted" and exits 0 when the handshake succeeds on both sides, else prints why and exits 2.
 *
 * java JavaRevocationCheck.java SERVER.p12 CLIENT-CA.pem SERVER-CRLS.pem CLIENT.p12 CA.pem CLIENT-CRLS(,..) PASSWORD_ENV [AT_EPOCH_SECONDS]
 * AT_EPOCH_SECONDS checks both chains as at that moment (PKIXParameters.setDate), to show an expired CRL.
 * A trust store given as a .p12 file (client-truststore.p12) is loaded as a PKCS#12 key store with the password,
 * and its trusted certificate entries are the trust anchors, as a Java server configured with it would use them.
 */
public class JavaRevocationCheck {
  public static void main(String[] args) throws Exception {
    char[] password = System.getenv(args[6]).toCharArray();
    Date at = args.length > 7 ? new Date(Long.parseLong(args[7]) * 1000) : null;
    SSLContext server = context(args[0], args[1], args[2].split(","), password, at, false);
    SSLContext client = context(args[3], args[4], args[5].split(","), password, at, true);

    SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
    listener.setNeedClientAuth(true);
    final String[] serverError = {null};
    Thread accept = new Thread(() -> {
      try (SSLSocket socket = (SSLSocket) listener.accept()) {
        socket.startHandshake();
        socket.getOutputStream().write(1);
        socket.getOutputStream().flush();
      } catch (Exception e) {
        serverError[0] = e.toString();
      }
    });
    accept.start();
    String clientError = null;
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("localhost", listener.getLocalPort())) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.setSoTimeout(20_000);
      socket.startHandshake();
      // TLS 1.3 tells the client about a refused certificate only when it reads.
      if (socket.getInputStream().read() != 1) clientError = "server closed the connection";
    } catch (Exception e) {
      clientError = e.toString();
    }
    accept.join(20_000);
    listener.close();
    if (serverError[0] == null && clientError == null) {
      System.out.println("accepted");
      System.exit(0);
    }
    System.out.println("refused: server: " + serverError[0] + "; client: " + clientError);
    System.exit(2);
  }

  /**
   * A TLS context with the key store's key and chain, trusting the bundle's CAs, checking the CRLs. A client's offers
   * its certificate whatever CAs the server names, as OpenSSL's and Mosquitto's clients do: the server decides.
   */
  static SSLContext context(String keyStore, String caBundle, String[] crlFiles, char[] password, Date at, boolean client) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(keyStore)) {
      keys.load(in, password);
    }
    KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, password);

    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    KeyStore trust = KeyStore.getInstance(caBundle.endsWith(".p12") ? "PKCS12" : KeyStore.getDefaultType());
    if (caBundle.endsWith(".p12")) {
      try (InputStream in = new FileInputStream(caBundle)) {
        trust.load(in, password);
      }
    } else {
      trust.load(null, null);
      int n = 0;
      try (InputStream in = new FileInputStream(caBundle)) {
        for (Certificate ca : x509.generateCertificates(in)) trust.setCertificateEntry("ca-" + n++, ca);
      }
    }
    List<Object> crls = new ArrayList<>();
    for (String file : crlFiles) {
      try (InputStream in = new FileInputStream(file)) {
        for (CRL crl : x509.generateCRLs(in)) crls.add(crl);
      }
    }
    PKIXBuilderParameters pkix = new PKIXBuilderParameters(trust, new X509CertSelector());
    pkix.setRevocationEnabled(true);
    pkix.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
    if (at != null) pkix.setDate(at);
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance("PKIX");
    trustManagers.init(new CertPathTrustManagerParameters(pkix));

    SSLContext context = SSLContext.getInstance("TLS");
    KeyManager[] keyManager = keyManagers.getKeyManagers();
    if (client) keyManager = new KeyManager[] {offeringAlways((X509KeyManager) keyManager[0])};
    context.init(keyManager, trustManagers.getTrustManagers(), null);
    return context;
  }

  /** The key manager, choosing its client key as if the server had named no CA. */
  static X509ExtendedKeyManager offeringAlways(X509KeyManager keys) {
    return new X509ExtendedKeyManager() {
      @Override public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return keys.chooseClientAlias(keyType, null, socket);
      }
      @Override public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return keys.chooseServerAlias(keyType, issuers, socket);
      }
      @Override public String[] getClientAliases(String keyType, Principal[] issuers) {
        return keys.getClientAliases(keyType, null);
      }
      @Override public String[] getServerAliases(String keyType, Principal[] issuers) {
        return keys.getServerAliases(keyType, issuers);
      }
      @Override public X509Certificate[] getCertificateChain(String alias) {
        return keys.getCertificateChain(alias);
      }
      @Override public PrivateKey getPrivateKey(String alias) {
        return keys.getPrivateKey(alias);
      }
    };
  }
}
