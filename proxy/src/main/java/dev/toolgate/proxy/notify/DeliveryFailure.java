package dev.toolgate.proxy.notify;

/** A send that failed with a reason worth showing as it is (an HTTP status, a missing link). */
final class DeliveryFailure extends Exception {
    private final boolean permanent;

    DeliveryFailure(String message, boolean permanent) {
        super(message);
        this.permanent = permanent;
    }

    /** Retrying cannot help (the webhook is gone, the address is malformed): give up at once. */
    boolean permanent() {
        return permanent;
    }
}
