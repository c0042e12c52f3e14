package dev.toolgate.storage.audit.internal;

import dev.toolgate.storage.AuditEvent;

/** An audit event with its link in its workspace's hash chain ({@link AuditChain}), as it is stored. */
record ChainedEvent(AuditEvent event, String prevHash, String hash) {
}
