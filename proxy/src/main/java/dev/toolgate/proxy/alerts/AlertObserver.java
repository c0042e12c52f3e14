package dev.toolgate.proxy.alerts;

/**
 * Told when an alert rule fires and when it recovers, after its deliveries are queued; the seam
 * incidents attach to. Called on the evaluator's thread: return quickly.
 */
public interface AlertObserver {
    void fired(Alert alert);

    void recovered(Alert alert);
}
