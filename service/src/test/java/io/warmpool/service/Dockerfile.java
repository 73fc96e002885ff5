package io.warmpool.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The instructions of the repository's Dockerfile, for tests that check it without a Docker
 * engine: lines joined where they end in a backslash, comments dropped, each instruction as its
 * keyword and the rest of its text.
 */
final class Dockerfile {
    static final Path PATH = Path.of("..", "Dockerfile");
    private static final Pattern ARG = Pattern.compile("(\\w+)(?:=(.*))?");

    /** One instruction: {@code FROM}, {@code RUN}, ... and its text. */
    record Instruction(String keyword, String text) {
    }

    private final List<Instruction> instructions = new ArrayList<>();

    private Dockerfile(List<String> lines) {
        StringBuilder current = new StringBuilder();
        for (String line : lines) {
            String stripped = line.strip();
            if (current.isEmpty() && (stripped.isEmpty() || stripped.startsWith("#"))) {
                continue;
            }
            if (!current.isEmpty() && stripped.startsWith("#")) {
                continue; // a comment inside a continued instruction
            }
            if (stripped.endsWith("\\")) {
                current.append(stripped, 0, stripped.length() - 1).append(' ');
                continue;
            }
            current.append(stripped);
            String text = current.toString().strip();
            int space = text.indexOf(' ');
            instructions.add(new Instruction(text.substring(0, space).toUpperCase(java.util.Locale.ROOT),
                    text.substring(space + 1).strip()));
            current.setLength(0);
        }
    }

    static Dockerfile read() throws IOException {
        return new Dockerfile(Files.readAllLines(PATH));
    }

    /** Every instruction with {@code keyword}, in order. */
    List<String> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::text).toList();
    }

    /** The one instruction with {@code keyword} in the last stage (the image that runs). */
    String last(String keyword) {
        List<String> found = new ArrayList<>();
        for (Instruction i : instructions) {
            if (i.keyword().equals("FROM")) {
                found.clear();
            } else if (i.keyword().equals(keyword)) {
                found.add(i.text());
            }
        }
        if (found.size() != 1) {
            throw new AssertionError("the runtime stage has " + found.size() + " " + keyword + " instructions: " + found);
        }
        return found.get(0);
    }

    /** The ARGs declared before the first FROM (the ones a FROM may use), with their defaults. */
    Map<String, String> globalArgs() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Instruction i : instructions) {
            if (i.keyword().equals("FROM")) {
                break;
            }
            if (i.keyword().equals("ARG")) {
                Matcher m = ARG.matcher(i.text());
                if (m.matches()) {
                    out.put(m.group(1), m.group(2));
                }
            }
        }
        return out;
    }

    /** The default of an ARG declared anywhere. */
    String argDefault(String name) {
        for (Instruction i : instructions) {
            if (i.keyword().equals("ARG")) {
                Matcher m = ARG.matcher(i.text());
                if (m.matches() && m.group(1).equals(name)) {
                    return m.group(2);
                }
            }
        }
        throw new AssertionError("no ARG " + name);
    }

    /** The runtime stage's ENV variables: {@code ENV A=1 B=2}. */
    Map<String, String> env() {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(\\w+)=(\\S+)").matcher(last("ENV"));
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    /** The JSON array of an exec-form instruction's text, such as {@code ["a", "b"]}. */
    @SuppressWarnings("unchecked")
    static List<String> execForm(String text) {
        return (List<String>) (List<?>) JsonReader.parse(text);
    }
}
