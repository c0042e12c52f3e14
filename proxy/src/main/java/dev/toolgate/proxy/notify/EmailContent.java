package dev.toolgate.proxy.notify;

/** A message ready to send: subject, plain text part and HTML part (the same content twice). */
record EmailContent(String subject, String text, String html) {
}
