package dev.toolgate.proxy.cli;

/** Counts for people: "1 rule", "2 rules", "12,345 calls". */
final class Plural {
    private Plural() {
    }

    static String of(long count, String noun) {
        return String.format("%,d %s", count, count == 1 ? noun : noun + "s");
    }
}
