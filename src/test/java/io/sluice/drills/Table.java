package io.sluice.drills;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A plain text table, columns padded to their widest cell, for the drill's figures. */
final class Table {

    private final String title;
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String title, String... header) {
        this.title = title;
        this.header = Arrays.asList(header);
    }

    Table row(Object... cells) {
        List<String> row = new ArrayList<>();
        for (Object cell : cells) {
            row.add(cell == null ? "-" : cell.toString());
        }
        rows.add(row);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    String render() {
        int[] width = new int[header.size()];
        for (int i = 0; i < header.size(); i++) {
            width[i] = header.get(i).length();
            for (List<String> row : rows) {
                if (i < row.size()) {
                    width[i] = Math.max(width[i], row.get(i).length());
                }
            }
        }
        StringBuilder out = new StringBuilder("\n== ").append(title).append('\n');
        line(out, header, width);
        StringBuilder rule = new StringBuilder();
        for (int w : width) {
            rule.append(rule.length() == 0 ? "" : "-+-").append("-".repeat(w));
        }
        out.append(rule).append('\n');
        for (List<String> row : rows) {
            line(out, row, width);
        }
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells, int[] width) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < width.length; i++) {
            String cell = i < cells.size() ? cells.get(i) : "";
            line.append(i == 0 ? "" : " | ").append(cell).append(" ".repeat(width[i] - cell.length()));
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    void print() {
        System.out.print(render());
        System.out.flush();
    }
}
