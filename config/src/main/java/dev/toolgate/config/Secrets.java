package dev.toolgate.config;

/** Keeps secrets out of {@code toString}: whether one is set is useful in a log line, its value never is. */
final class Secrets {
    private Secrets() {
    }

    static String mask(String secret) {
        return secret == null || secret.isEmpty() ? "(none)" : "(redacted)";
    }
}
