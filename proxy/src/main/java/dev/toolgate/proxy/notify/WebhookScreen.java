package dev.toolgate.proxy.notify;

import dev.toolgate.config.DeliveriesConfig;
import dev.toolgate.proxy.server.ApiError;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Refuses webhook URLs that would make the gateway call into its own network (SSRF): loopback,
 * link-local (cloud metadata included), private (RFC 1918, ULA, carrier-grade NAT), unspecified and
 * multicast addresses, as the host resolves now. {@code deliveries.allow_private} or a host or CIDR
 * in {@code deliveries.allow_hosts} lets one through. Resolves names: call it off the event loops. A
 * name that does not resolve passes (there is nothing to call); alert deliveries screen again on
 * every send, so a name that later resolves inward is refused then.
 */
public final class WebhookScreen {
    private final boolean allowPrivate;
    private final List<String> allowedHosts = new ArrayList<>();
    private final List<Cidr> allowedRanges = new ArrayList<>();

    public WebhookScreen(DeliveriesConfig config) {
        this.allowPrivate = config.allowPrivate();
        for (String entry : config.allowHosts()) {
            if (entry.contains("/")) {
                allowedRanges.add(Cidr.parse(entry));
            } else {
                allowedHosts.add(entry.toLowerCase(Locale.ROOT));
            }
        }
    }

    /** Throws a 422 {@code WEBHOOK_URL_REFUSED} naming {@code field} when {@code url} may not be posted to. */
    public void check(String field, String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw refused(field + " must be an http(s) URL");
        }
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw refused(field + " must be an http(s) URL");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (allowPrivate || allowedHosts.contains(host)) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException e) {
            // Nothing to call now; a delivery target is screened again when it is sent to.
            return;
        }
        for (InetAddress address : addresses) {
            String kind = internalKind(address);
            if (kind != null && allowedRanges.stream().noneMatch(range -> range.contains(address))) {
                throw refused(field + ": host " + host + " resolves to " + address.getHostAddress() + ", a " + kind
                        + " address; webhooks may only call public addresses (allow it with deliveries.allow_hosts"
                        + " or deliveries.allow_private)");
            }
        }
    }

    /** What kind of internal address this is, or null for a public one. */
    static String internalKind(InetAddress address) {
        if (address.isLoopbackAddress()) {
            return "loopback";
        }
        if (address.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (address.isLinkLocalAddress()) {
            return "link-local (cloud metadata)";
        }
        if (address.isSiteLocalAddress()) {
            return "private";
        }
        if (address.isMulticastAddress()) {
            return "multicast";
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet6Address && (bytes[0] & 0xfe) == 0xfc) {
            return "private (unique local)";
        }
        // 100.64.0.0/10: carrier-grade NAT, where some clouds put their metadata service (100.100.100.200).
        if (bytes.length == 4 && (bytes[0] & 0xff) == 100 && (bytes[1] & 0xc0) == 64) {
            return "shared (carrier-grade NAT)";
        }
        return null;
    }

    private static ApiError refused(String message) {
        return new ApiError(HttpResponseStatus.UNPROCESSABLE_ENTITY, "WEBHOOK_URL_REFUSED", message);
    }
}
