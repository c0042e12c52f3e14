package dev.toolgate.proxy.notify;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Sample notices as the approval flow builds them: arguments already redacted, one pair of links per channel. */
final class Notices {
    static final String APPROVAL_ID = "0b6c4f0e-7d51-4a57-9a39-2d6f4c1e8a11";
    static final Instant CREATED = Instant.parse("2025-11-22T10:15:30Z");
    static final Instant EXPIRES = Instant.parse("2025-11-23T10:15:30Z");
    static final String RULE_TEXT = "Wire transfers over 1000 need a person";
    /** What the Redactor leaves of {"amount":5000,"iban":"DE89...","api_key":"sk-..."}. */
    static final String REDACTED_ARGUMENTS = "{\"amount\":5000,\"currency\":\"EUR\",\"card\":\"[REDACTED:card]\",\"api_key\":\"[REDACTED]\"}";

    private Notices() {
    }

    static ApprovalLinks links(String channel) {
        return new ApprovalLinks("https://gate.example.com/api/approve/" + channel + "-approve-tok_Zx9",
                "https://gate.example.com/api/deny/" + channel + "-deny-tok_Q7a");
    }

    static Map<String, ApprovalLinks> allLinks() {
        Map<String, ApprovalLinks> links = new LinkedHashMap<>();
        for (Channel channel : Channel.values()) {
            links.put(channel.key(), links(channel.key()));
        }
        return links;
    }

    static ApprovalNotice approval() {
        return approval("wire_transfer");
    }

    static ApprovalNotice approval(String tool) {
        return new ApprovalNotice(APPROVAL_ID, "acme", "support-bot", tool, REDACTED_ARGUMENTS, "payments-need-approval",
                RULE_TEXT, CREATED, EXPIRES, "alice@example.com", allLinks());
    }

    static ExpiryNotice expiry() {
        return new ExpiryNotice(APPROVAL_ID, "acme", "support-bot", "wire_transfer", REDACTED_ARGUMENTS,
                "payments-need-approval", RULE_TEXT, EXPIRES, "alice@example.com");
    }
}
