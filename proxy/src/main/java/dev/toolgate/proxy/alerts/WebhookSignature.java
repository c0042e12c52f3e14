package dev.toolgate.proxy.alerts;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature a generic webhook target receives: {@code X-Toolgate-Signature: sha256=<hex>}, the
 * HMAC-SHA256 with the target's secret of {@code <X-Toolgate-Timestamp>.<body>}. The timestamp is
 * signed too so a receiver can refuse a replayed message.
 */
public final class WebhookSignature {
    public static final String SIGNATURE_HEADER = "X-Toolgate-Signature";
    public static final String TIMESTAMP_HEADER = "X-Toolgate-Timestamp";

    private WebhookSignature() {
    }

    /** {@code sha256=<hex>} over {@code timestamp + "." + body}. */
    public static String sign(String secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
