package dev.toolgate.proxy.fuzz;

import java.util.Arrays;

/**
 * A fuzzer input read as a byte stream and the read boundaries it arrives in, as TCP may cut it.
 * The last byte says how many cuts there are (its low four bits, 0 to 15); the two bytes per cut
 * before it say where (big-endian, taken modulo the stream's length + 1); the rest is the stream.
 * A seed is a fixture followed by {@code 0x00} (no cuts), or by its cuts and their count.
 *
 * @param cuts ascending offsets in {@code stream} at which a new read starts
 */
record SplitInput(byte[] stream, int[] cuts) {

    static SplitInput of(byte[] input) {
        if (input.length == 0) {
            return new SplitInput(input, new int[0]);
        }
        int count = Math.min(input[input.length - 1] & 0x0F, (input.length - 1) / 2);
        int streamLength = input.length - 1 - 2 * count;
        byte[] stream = Arrays.copyOf(input, streamLength);
        int[] cuts = new int[count];
        for (int i = 0; i < count; i++) {
            int at = streamLength + 2 * i;
            cuts[i] = (((input[at] & 0xFF) << 8) | (input[at + 1] & 0xFF)) % (streamLength + 1);
        }
        return new SplitInput(stream, Arrays.stream(cuts).sorted().distinct().toArray());
    }

    /** The input that reads as {@code stream} in one piece: the stream and a zero count. */
    static byte[] seed(byte[] stream) {
        byte[] input = Arrays.copyOf(stream, stream.length + 1);
        input[stream.length] = 0;
        return input;
    }

    /** The reads, in order: {@code stream} cut at every offset in {@code cuts}. */
    byte[][] reads() {
        byte[][] reads = new byte[cuts.length + 1][];
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : stream.length;
            reads[i] = Arrays.copyOfRange(stream, from, to);
            from = to;
        }
        return reads;
    }
}
