package dev.toolgate.proxy.notify;

import java.net.URI;
import java.net.URISyntaxException;

/** Makes delivery targets and errors fit for logs: a webhook URL is a credential, so only its host is ever shown. */
final class LogSafe {
    private static final int MAX_ERROR = 300;

    private LogSafe() {
    }

    /** {@code https://hooks.slack.com/…}: enough for an operator to tell which webhook, useless to anyone else. */
    static String webhook(String url) {
        if (url == null || url.isEmpty()) {
            return "(none)";
        }
        try {
            URI uri = new URI(url);
            if (uri.getScheme() != null && uri.getHost() != null) {
                return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + "/…";
            }
        } catch (URISyntaxException e) {
            // Fall through: a malformed URL is still a secret.
        }
        return "(unparseable webhook URL)";
    }

    /** One line describing {@code error} and its causes, with every occurrence of {@code secret} masked. */
    static String error(Throwable error, String secret) {
        StringBuilder text = new StringBuilder();
        int depth = 0;
        for (Throwable cause = error; cause != null && depth < 3; cause = cause.getCause(), depth++) {
            if (depth > 0) {
                text.append("; caused by ");
            }
            String message = cause.getMessage();
            text.append(cause instanceof DeliveryFailure ? "" : cause.getClass().getSimpleName() + (message == null ? "" : ": "))
                    .append(message == null ? "" : message);
            if (cause.getCause() == cause) {
                break;
            }
        }
        String line = mask(text.toString(), secret).replaceAll("\\s+", " ").strip();
        return line.length() <= MAX_ERROR ? line : line.substring(0, MAX_ERROR) + "…";
    }

    private static String mask(String text, String secret) {
        if (secret == null || secret.isEmpty()) {
            return text;
        }
        String masked = text.replace(secret, webhook(secret));
        try {
            // HTTP clients sometimes quote only the path, which is where the credential is.
            String path = new URI(secret).getRawPath();
            if (path != null && path.length() > 1) {
                masked = masked.replace(path, "/…");
            }
        } catch (URISyntaxException e) {
            // Nothing more to mask than the whole URL.
        }
        return masked;
    }
}
