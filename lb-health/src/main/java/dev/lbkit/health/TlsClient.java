package dev.lbkit.health;

import dev.lbkit.api.HealthCheck;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Makes client {@link SSLEngine}s for HTTPS checks: SNI from the check (or its Host header when that is a name),
 * and either the JDK's default trust with host-name verification or no verification at all.
 */
final class TlsClient {
    private final SSLContext context;
    private final boolean verify;
    private final Optional<String> serverName;

    private TlsClient(SSLContext context, boolean verify, Optional<String> serverName) {
        this.context = context;
        this.verify = verify;
        this.serverName = serverName;
    }

    /**
     * The TLS side of an HTTP check; {@code verifying} gives the context used when the check verifies (asked only
     * then).
     */
    static TlsClient forCheck(HealthCheck.Http http, java.util.function.Supplier<SSLContext> verifying) {
        Optional<String> name = http.sni();
        if (name.isEmpty() && http.host().isPresent()) {
            String h = http.host().get();
            int colon = h.lastIndexOf(':');
            String hostOnly = colon > 0 && h.indexOf(':') == colon ? h.substring(0, colon) : h;
            if (!hostOnly.isEmpty() && !hostOnly.startsWith("[") && !hostOnly.chars()
                    .allMatch(c -> c == '.' || (c >= '0' && c <= '9'))) {
                name = Optional.of(hostOnly);
            }
        }
        return new TlsClient(http.verifyTls() ? verifying.get() : TRUST_ALL, http.verifyTls(), name);
    }

    SSLEngine newEngine(ProbeKey key) {
        String peer = serverName.orElse(key.address().getHostAddress());
        SSLEngine e = context.createSSLEngine(peer, key.port());
        e.setUseClientMode(true);
        SSLParameters p = e.getSSLParameters();
        serverName.ifPresent(n -> p.setServerNames(List.of(new SNIHostName(n))));
        if (verify) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        e.setSSLParameters(p);
        return e;
    }

    private static final SSLContext TRUST_ALL = trustAll();

    private static SSLContext trustAll() {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    // verification off: the check proves the server answers, not who it is
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS context available for health checks", e);
        }
    }

    static SSLContext defaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no default TLS context available for health checks", e);
        }
    }
}
