package dev.toolgate.proxy.notify;

import dev.toolgate.config.EmailConfig;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.Properties;

/** Sends notification emails through the configured SMTP server. Blocks: call it off the event loops. */
final class EmailSender {
    private final EmailConfig config;
    private final Session session;
    private final InternetAddress from;
    private final String messageIdDomain;

    EmailSender(EmailConfig config, Duration connectTimeout, Duration readTimeout) {
        if (config.smtpHost() == null || config.smtpHost().isBlank()) {
            throw new IllegalArgumentException("notifications.email.smtp_host: missing (expected: the SMTP server's host name)");
        }
        if (config.smtpPort() < 1 || config.smtpPort() > 65_535) {
            throw new IllegalArgumentException("notifications.email.smtp_port: " + config.smtpPort() + " (expected: 1-65535)");
        }
        this.config = config;
        this.from = parseFrom(config.from());
        String address = from.getAddress();
        this.messageIdDomain = address.substring(address.indexOf('@') + 1);
        this.session = Session.getInstance(properties(config, connectTimeout, readTimeout));
    }

    private static Properties properties(EmailConfig config, Duration connectTimeout, Duration readTimeout) {
        Properties props = new Properties();
        props.put("mail.transport.protocol", "smtp");
        props.put("mail.smtp.host", config.smtpHost());
        props.put("mail.smtp.port", String.valueOf(config.smtpPort()));
        // Without timeouts a silent server holds a notifier thread forever.
        props.put("mail.smtp.connectiontimeout", String.valueOf(connectTimeout.toMillis()));
        props.put("mail.smtp.timeout", String.valueOf(readTimeout.toMillis()));
        props.put("mail.smtp.writetimeout", String.valueOf(readTimeout.toMillis()));
        props.put("mail.smtp.auth", String.valueOf(hasCredentials(config)));
        if (config.starttls()) {
            // Required, not just enabled: otherwise a downgraded server gets the password in clear text.
            props.put("mail.smtp.starttls.enable", "true");
            props.put("mail.smtp.starttls.required", "true");
            props.put("mail.smtp.ssl.checkserveridentity", "true");
        }
        return props;
    }

    private static boolean hasCredentials(EmailConfig config) {
        return config.username() != null && !config.username().isEmpty();
    }

    private static InternetAddress parseFrom(String address) {
        try {
            InternetAddress parsed = new InternetAddress(address, true);
            if (parsed.getAddress().indexOf('@') < 0) {
                throw new AddressException("no domain");
            }
            return parsed;
        } catch (AddressException e) {
            throw new IllegalArgumentException("notifications.email.from: '" + address + "' (expected: an email address such as toolgate@example.com)", e);
        }
    }

    /** Where mail goes, for log lines. */
    String server() {
        return config.smtpHost() + ":" + config.smtpPort();
    }

    /**
     * Sends {@code content} to {@code to}. {@code messageId} is fixed per notice so a retry after a
     * lost reply is recognised as the same message; {@code inReplyTo} (may be null) threads an
     * expiry notice under its request.
     */
    void send(EmailContent content, String to, String messageId, String inReplyTo) throws MessagingException, DeliveryFailure {
        InternetAddress recipient;
        try {
            recipient = new InternetAddress(to, true);
        } catch (AddressException e) {
            throw new DeliveryFailure("not an email address: " + to, true);
        }
        MimeMessage message = new FixedIdMessage(session, messageId(messageId));
        message.setFrom(from);
        message.setRecipient(Message.RecipientType.TO, recipient);
        message.setSubject(content.subject(), StandardCharsets.UTF_8.name());
        message.setSentDate(new Date());
        if (inReplyTo != null) {
            message.setHeader("In-Reply-To", messageId(inReplyTo));
            message.setHeader("References", messageId(inReplyTo));
        }
        // Mail scanners and auto-responders must not act on these.
        message.setHeader("Auto-Submitted", "auto-generated");
        message.setContent(alternative(content));
        message.saveChanges();
        try (Transport transport = session.getTransport()) {
            if (hasCredentials(config)) {
                transport.connect(config.smtpHost(), config.smtpPort(), config.username(), config.password());
            } else {
                transport.connect();
            }
            transport.sendMessage(message, message.getAllRecipients());
        }
    }

    private String messageId(String localPart) {
        return "<" + localPart.replaceAll("[^A-Za-z0-9._-]", "_") + "@" + messageIdDomain + ">";
    }

    /** Plain text first, HTML last: clients show the last part they can render. */
    private static MimeMultipart alternative(EmailContent content) throws MessagingException {
        MimeBodyPart text = new MimeBodyPart();
        text.setText(content.text(), StandardCharsets.UTF_8.name(), "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(content.html(), StandardCharsets.UTF_8.name(), "html");
        return new MimeMultipart("alternative", text, html);
    }

    /** Keeps our Message-ID: Jakarta Mail would otherwise generate a new one on every save. */
    private static final class FixedIdMessage extends MimeMessage {
        private final String messageId;

        FixedIdMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
