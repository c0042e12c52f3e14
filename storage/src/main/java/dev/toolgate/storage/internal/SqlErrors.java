package dev.toolgate.storage.internal;

import java.sql.SQLException;

/** Classifies database failures by SQLState, which H2 and PostgreSQL share for these cases. */
public final class SqlErrors {
    private SqlErrors() {
    }

    /** True when a constraint (unique key, foreign key, not null, check) refused the data: SQLState class 23. */
    public static boolean isIntegrityViolation(Throwable failure) {
        return hasSqlState(failure, "23");
    }

    /** True when a row with the same key already exists: SQLState 23505. */
    public static boolean isDuplicateKey(Throwable failure) {
        return hasSqlState(failure, "23505");
    }

    /** The database's own message, first line only: drivers append the whole SQL statement after it. */
    public static String describe(Throwable failure) {
        Throwable reported = failure;
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLException) {
                reported = t;
                break;
            }
        }
        String message = reported.getMessage() == null ? reported.getClass().getName() : reported.getMessage();
        int end = message.indexOf('\n');
        String firstLine = end < 0 ? message : message.substring(0, end);
        return firstLine.endsWith("; SQL statement:") ? firstLine.substring(0, firstLine.length() - "; SQL statement:".length()) : firstLine;
    }

    private static boolean hasSqlState(Throwable failure, String prefix) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                // Batch failures report the per-row cause through the next-exception chain.
                for (SQLException e = sql; e != null; e = e.getNextException()) {
                    if (e.getSQLState() != null && e.getSQLState().startsWith(prefix)) {
                        return true;
                    }
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
