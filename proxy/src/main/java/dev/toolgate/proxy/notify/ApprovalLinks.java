package dev.toolgate.proxy.notify;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** The single-use approve and deny links one channel carries. */
public record ApprovalLinks(String approveUrl, String denyUrl) {

    public ApprovalLinks {
        requireHttpUrl("approveUrl", approveUrl);
        requireHttpUrl("denyUrl", denyUrl);
    }

    // The links become buttons people click: anything but http(s) (javascript:, file:) must never get that far.
    private static void requireHttpUrl(String name, String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(name + ": missing (expected: an http or https URL)");
        }
        String scheme;
        try {
            scheme = new URI(url).getScheme();
        } catch (URISyntaxException e) {
            scheme = null;
        }
        if (scheme == null || !(scheme.toLowerCase(Locale.ROOT).equals("http") || scheme.toLowerCase(Locale.ROOT).equals("https"))) {
            throw new IllegalArgumentException(name + ": not an absolute http or https URL (expected: the gateway's public link)");
        }
    }
}
