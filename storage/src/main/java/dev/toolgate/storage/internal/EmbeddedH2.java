package dev.toolgate.storage.internal;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** What an H2 URL says about an embedded database kept in a file on this machine. */
public final class EmbeddedH2 {
    /** A file system prefix such as {@code mem:}, {@code tcp:}, {@code nio:} or {@code split:} (a drive letter is one character). */
    private static final Pattern OTHER_FILE_SYSTEM = Pattern.compile("^[A-Za-z][A-Za-z0-9]+:.*");

    private EmbeddedH2() {
    }

    /**
     * The database's path without H2's {@code .mv.db} suffix, for {@code jdbc:h2:file:...} and plain
     * {@code jdbc:h2:<path>} URLs; empty for in-memory, server and other file system URLs.
     */
    static Optional<Path> databasePath(String url) {
        if (!url.toLowerCase(Locale.ROOT).startsWith("jdbc:h2:")) {
            return Optional.empty();
        }
        String rest = url.substring("jdbc:h2:".length());
        int options = rest.indexOf(';');
        String name = options < 0 ? rest : rest.substring(0, options);
        if (name.toLowerCase(Locale.ROOT).startsWith("file:")) {
            name = name.substring("file:".length());
        } else if (OTHER_FILE_SYSTEM.matcher(name).matches()) {
            return Optional.empty();
        }
        if (name.isEmpty()) {
            return Optional.empty();
        }
        if (name.equals("~") || name.startsWith("~/") || name.startsWith("~\\")) {
            name = System.getProperty("user.home") + name.substring(1);
        }
        return Optional.of(Path.of(name));
    }

    /** Where the audit journal of an embedded file database lives: next to its {@code .mv.db} file. */
    public static Optional<Path> auditJournalDirectory(String url) {
        return databasePath(url).map(path -> path.resolveSibling(path.getFileName() + ".audit-journal"));
    }
}
