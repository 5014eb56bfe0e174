package io.sluice.audience;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CsvRecordsTest {

    private static List<CsvRecords.Record> read(String csv) throws IOException {
        List<CsvRecords.Record> records = new ArrayList<>();
        try (CsvRecords reader = new CsvRecords(new StringReader(csv))) {
            CsvRecords.Record r;
            while ((r = reader.next()) != null) {
                records.add(r);
            }
        }
        return records;
    }

    @Test
    void should_read_quoted_fields_with_commas_doubled_quotes_and_line_breaks() throws IOException {
        List<CsvRecords.Record> records = read("email,note\r\na@x.com,\"one, \"\"two\"\"\"\r\nb@x.com,\"multi\nline\"\r\n");

        assertThat(records).extracting(CsvRecords.Record::fields).containsExactly(
                List.of("email", "note"), List.of("a@x.com", "one, \"two\""), List.of("b@x.com", "multi\nline"));
        assertThat(records).extracting(CsvRecords.Record::line).containsExactly(1L, 2L, 3L);
    }

    @Test
    void should_report_an_unclosed_quote_and_read_the_following_lines_as_their_own_records() throws IOException {
        StringBuilder csv = new StringBuilder("email\n\"open@x.com\n");
        for (int i = 0; i < 30; i++) {
            csv.append("user").append(i).append("@x.com\n");
        }

        List<CsvRecords.Record> records = read(csv.toString());

        assertThat(records.get(1).problem()).isEqualTo("unterminated quoted field");
        assertThat(records.get(1).line()).isEqualTo(2);
        assertThat(records).hasSize(32);
        assertThat(records.get(2).fields()).containsExactly("user0@x.com");
        assertThat(records.get(31).line()).isEqualTo(32);
    }

    @Test
    void should_skip_a_byte_order_mark_and_blank_lines() throws IOException {
        List<CsvRecords.Record> records = read("\uFEFFemail\n\n  \na@x.com\n");

        assertThat(records).extracting(CsvRecords.Record::fields).containsExactly(List.of("email"), List.of("a@x.com"));
        assertThat(records.get(1).line()).isEqualTo(4);
    }
}
