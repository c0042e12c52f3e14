package dev.toolgate.config;

/**
 * One gateway key from the {@code keys} section.
 *
 * @param name who the key belongs to; it names the agent in decisions and the audit log
 * @param development true when no key was configured and {@code tg-dev-<name>} stands in for it
 */
public record KeyConfig(String name, String key, Role role, String workspace, boolean development) {
    public static final String DEFAULT_WORKSPACE = "default";
    public static final String DEVELOPMENT_KEY_PREFIX = "tg-dev-";
    /** Shorter keys are refused: a gateway key guards every tool an agent can reach. */
    public static final int MIN_KEY_LENGTH = 16;

    /** The stand-in key used when {@code key} is empty: guessable, for local development only. */
    public static String developmentKey(String name) {
        return DEVELOPMENT_KEY_PREFIX + name;
    }

    @Override
    public String toString() {
        // Never print a real key: records end up in logs.
        return "KeyConfig[name=" + name + ", key=" + (development ? key : Secrets.mask(key))
                + ", role=" + role.wireName() + ", workspace=" + workspace + ", development=" + development + "]";
    }
}
