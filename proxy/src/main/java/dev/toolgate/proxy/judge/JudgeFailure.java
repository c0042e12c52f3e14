package dev.toolgate.proxy.judge;

/**
 * The judge gave no usable answer. The message is what the decision's reasons and the audit show,
 * so it says what went wrong in a few words and never quotes the model's answer or the call.
 */
final class JudgeFailure extends Exception {
    JudgeFailure(String message) {
        super(message, null, false, false);
    }
}
