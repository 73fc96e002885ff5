package io.warmpool.service;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A GET of an http URL with a deadline, for the commands that ask a running {@code serve}. */
final class HttpGet {
    /** What the server answered: its status and its body (the error body for a 4xx or 5xx, or empty). */
    record Response(int status, String body) {
    }

    private HttpGet() {
    }

    /**
     * GETs {@code url}, waiting at most {@code timeout} for the connection and as long again for
     * each read.
     *
     * @throws IllegalArgumentException when {@code url} is not an http URL, saying why
     * @throws IOException              when there is no answer: refused, timed out, cut off
     */
    static Response get(String url, Duration timeout) throws IOException {
        HttpURLConnection connection;
        try {
            connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        } catch (IllegalArgumentException | IOException | ClassCastException e) {
            throw new IllegalArgumentException("'" + url + "' is not an http URL: " + e.getMessage(), e);
        }
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        connection.setConnectTimeout(millis);
        connection.setReadTimeout(millis);
        try {
            int status = connection.getResponseCode();
            try (InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                return new Response(status, body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8));
            }
        } finally {
            connection.disconnect();
        }
    }
}
