package io.warmpool.guests;

import java.nio.charset.StandardCharsets;

/** What each guest must compute, written out in Java from the sources' descriptions. */
final class Expected {
    private Expected() {
    }

    /** The response {@code handle(id)} writes. */
    static String response(int id) {
        int n = Integer.remainderUnsigned(id, 1024) == 1023 ? 4096 : Integer.remainderUnsigned(id, 256) + 1;
        StringBuilder body = new StringBuilder("{\"id\":").append(Integer.toUnsignedString(id)).append(",\"items\":[");
        for (int k = 0; k < n; k++) {
            body.append(k == 0 ? "" : ",").append(Integer.toUnsignedString((id * 31 + k) * 0x9E3779B1));
        }
        body.append("]}");
        return "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                + body.toString().getBytes(StandardCharsets.US_ASCII).length + "\r\n\r\n" + body;
    }

    /** The sum {@code sum(seed, lookups)} returns on an unwritten table. */
    static int lookupSum(int seed, int lookups) {
        int state = seed | 1;
        int sum = 0;
        for (int n = 0; n < lookups; n++) {
            state = xorshift(state);
            sum += (state & 0xfffff) * 0x9E3779B1;
        }
        return sum;
    }

    /** The address of the first entry {@code run(seed, ...)} and {@code sum(seed, ...)} read. */
    static int lookupAddress(int seed) {
        return 65536 + 4 * (xorshift(seed | 1) & 0xfffff);
    }

    /** The address of the first word {@code dirty(seed, ...)} reads, in a memory of {@code pages} wasm pages. */
    static int scatteredAddress(int seed, int pages) {
        int state = xorshift(seed | 1);
        return Integer.remainderUnsigned(state, pages * 16) * 4096 + ((state >>> 20) & 0xff8);
    }

    static int xorshift(int state) {
        state ^= state << 13;
        state ^= state >>> 17;
        return state ^ (state << 5);
    }
}
