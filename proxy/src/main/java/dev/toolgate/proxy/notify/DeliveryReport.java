package dev.toolgate.proxy.notify;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** How every channel of one notification ended: delivered, or given up after its retries. */
public record DeliveryReport(String approvalId, List<ChannelDelivery> deliveries) {

    public DeliveryReport {
        deliveries = List.copyOf(deliveries);
    }

    /** True when every enabled channel delivered (and trivially when none was enabled). */
    public boolean allDelivered() {
        return deliveries.stream().allMatch(ChannelDelivery::delivered);
    }

    public Optional<ChannelDelivery> channel(Channel channel) {
        return deliveries.stream().filter(delivery -> delivery.channel() == channel).findFirst();
    }

    /** Completes when all of {@code deliveries} have; they never complete exceptionally. */
    static CompletableFuture<DeliveryReport> when(String approvalId, List<CompletableFuture<ChannelDelivery>> deliveries) {
        return CompletableFuture.allOf(deliveries.toArray(CompletableFuture[]::new))
                .thenApply(done -> new DeliveryReport(approvalId, deliveries.stream().map(CompletableFuture::join).toList()));
    }
}
