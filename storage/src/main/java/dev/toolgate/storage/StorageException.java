package dev.toolgate.storage;

/** The database could not do what was asked; callers fail closed (no tool call is released). */
public class StorageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
