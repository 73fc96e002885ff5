package io.warmpool.service;

/** The command line is wrong: the message names the word at fault. Exit status 2. */
public class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
