package dev.toolgate.storage;

/**
 * Where the database lives: a JDBC URL ({@code jdbc:h2:file:./data/toolgate}, later
 * {@code jdbc:postgresql://...}) and optional credentials (null is the same as empty).
 */
public record StorageSettings(String url, String user, String password) {
    public StorageSettings {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(
                    "storage.url: '" + (url == null ? "" : url) + "' (expected: a JDBC URL such as jdbc:h2:file:./data/toolgate)");
        }
        if (!url.startsWith("jdbc:")) {
            throw new IllegalArgumentException("storage.url: " + url + " (expected: a JDBC URL starting with jdbc:)");
        }
        user = user == null ? "" : user;
        password = password == null ? "" : password;
    }

    /** Settings for a database that needs no credentials, such as embedded H2. */
    public static StorageSettings of(String url) {
        return new StorageSettings(url, "", "");
    }

    /** The URL without its parameters, safe to log: a parameter may carry a password. */
    public String displayUrl() {
        int cut = url.length();
        for (char separator : new char[] {'?', ';'}) {
            int at = url.indexOf(separator);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        return url.substring(0, cut);
    }

    @Override
    public String toString() {
        return "StorageSettings[url=" + displayUrl() + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "***") + "]";
    }
}
