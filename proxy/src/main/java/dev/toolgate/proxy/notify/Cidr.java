package dev.toolgate.proxy.notify;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address range such as {@code 10.0.0.0/8} or {@code fd00::/8}, from {@code deliveries.allow_hosts}. */
record Cidr(byte[] network, int prefix) {

    /** Parses {@code address/prefix}; throws {@link IllegalArgumentException} saying what was expected. */
    static Cidr parse(String text) {
        int slash = text.indexOf('/');
        try {
            byte[] network = InetAddress.getByName(text.substring(0, slash)).getAddress();
            int prefix = Integer.parseInt(text.substring(slash + 1));
            if (prefix < 0 || prefix > network.length * 8) {
                throw new IllegalArgumentException("deliveries.allow_hosts: " + text + " (expected: a prefix of 0 to "
                        + network.length * 8 + ")");
            }
            return new Cidr(network, prefix);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("deliveries.allow_hosts: " + text + " (expected: a host name or a CIDR such as 10.0.0.0/8)");
        }
    }

    boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length) {
            return false;
        }
        for (int bit = 0; bit < prefix; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((bytes[bit / 8] & mask) != (network[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }
}
