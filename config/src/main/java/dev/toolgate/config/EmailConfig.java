package dev.toolgate.config;

/**
 * The {@code notifications.email} section: the SMTP server approval requests are sent through.
 *
 * @param username empty means: no SMTP authentication
 */
public record EmailConfig(String smtpHost, int smtpPort, String from, String to, String username, String password, boolean starttls) {
    public static final int DEFAULT_SMTP_PORT = 587;

    @Override
    public String toString() {
        return "EmailConfig[smtpHost=" + smtpHost + ", smtpPort=" + smtpPort + ", from=" + from + ", to=" + to
                + ", username=" + username + ", password=" + Secrets.mask(password) + ", starttls=" + starttls + "]";
    }
}
