package dev.toolgate.proxy.notify;

/** A way of reaching approvers; {@link #key()} names it in {@link ApprovalNotice#linksByChannel()} and the audit log. */
public enum Channel {
    EMAIL("email", "Email"),
    SLACK("slack", "Slack"),
    TEAMS("teams", "Teams");

    private final String key;
    private final String displayName;

    Channel(String key, String displayName) {
        this.key = key;
        this.displayName = displayName;
    }

    public String key() {
        return key;
    }

    String displayName() {
        return displayName;
    }

    /** The channel named {@code key}, or null. */
    static Channel byKey(String key) {
        for (Channel channel : values()) {
            if (channel.key.equals(key)) {
                return channel;
            }
        }
        return null;
    }
}
