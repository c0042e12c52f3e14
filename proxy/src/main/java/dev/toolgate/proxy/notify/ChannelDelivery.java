package dev.toolgate.proxy.notify;

/**
 * How one channel's delivery ended.
 *
 * @param attempts how many sends were tried (0 when none could start)
 * @param lastError empty when delivered; never contains a webhook URL
 */
public record ChannelDelivery(Channel channel, boolean delivered, int attempts, String lastError) {

    static ChannelDelivery delivered(Channel channel, int attempts) {
        return new ChannelDelivery(channel, true, attempts, "");
    }

    static ChannelDelivery failed(Channel channel, int attempts, String error) {
        return new ChannelDelivery(channel, false, attempts, error);
    }
}
